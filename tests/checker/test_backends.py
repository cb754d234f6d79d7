"""checker/backends.py: the --backend/--accel options, the payload of a host boot, and which
back end is opened with what (no QEMU, no xl: the back ends' classes are replaced)."""
import argparse
import threading
import time
from pathlib import Path

import pytest

from checker import backends, network
from checker.spec import InputStep, Scenario
from checker.testhost import image, qemu, xl_local


def scenario(tmp_path: Path, *inputs: InputStep) -> Scenario:
    return Scenario(stage="08-ping", name="boot", kernel="kernel.elf", memory_mb=32, timeout_s=5.0,
                    expect_end="shutdown", cmdline="", transcript=tmp_path / "expected.txt", inputs=inputs,
                    rules=(), max_console_bytes=1000, vif=bool(inputs))


def test_the_options_and_their_defaults():
    parser = argparse.ArgumentParser()
    backends.add_options(parser)
    assert vars(parser.parse_args([])) == {"backend": "qemu", "accel": "auto"}
    assert vars(parser.parse_args(["--backend", "xl", "--accel", "kvm"])) == {"backend": "xl", "accel": "kvm"}
    with pytest.raises(SystemExit):
        parser.parse_args(["--backend", "kvm"])


def test_a_payload_without_frame_steps_is_the_kernels(tmp_path):
    kernels = {"08-ping-kernel": tmp_path / "kernel.elf"}
    steps = (InputStep("ready", send="quit\r"),)
    assert backends.payload(kernels, [scenario(tmp_path, *steps)], tmp_path / "frames") == kernels
    assert not (tmp_path / "frames").exists()


def test_a_payload_has_one_frame_file_per_corpus_named(tmp_path, monkeypatch):
    monkeypatch.setattr(network, "corpora", lambda: {"tiny": lambda *addresses: [("one", b"\x01")]})
    kernels = {"08-ping-kernel": tmp_path / "kernel.elf"}
    frames = InputStep("ready", send_frames="tiny")
    payload = backends.payload(kernels, [scenario(tmp_path, frames), scenario(tmp_path, frames)], tmp_path / "f")
    assert payload == kernels | {"frames-tiny": tmp_path / "f" / "frames-tiny.frames"}
    assert payload["frames-tiny"].read_bytes() == b"\x00\x01\x01"


class FakeBackEnd:
    """Stands in for QemuXenHost or LocalXlHost: remembers how it was made and entered."""

    made: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        FakeBackEnd.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.left = True


@pytest.fixture
def fake_back_ends(monkeypatch):
    FakeBackEnd.made = []
    built = []

    def build(cache, log):
        built.append(cache)
        return "the image"
    monkeypatch.setattr(image, "build", build)
    monkeypatch.setattr(qemu, "QemuXenHost", FakeBackEnd)
    monkeypatch.setattr(xl_local, "LocalXlHost", FakeBackEnd)
    return built


def test_xl_opens_the_local_host_and_builds_no_image(tmp_path, fake_back_ends):
    files = {"k": tmp_path / "k.elf"}
    with backends.open_host("xl", "auto", tmp_path / "cache", tmp_path / "work", files, print) as host:
        assert host.args == (tmp_path / "work", files, print)
    assert fake_back_ends == [] and host.left


def test_qemu_builds_the_image_and_boots_it_with_the_accelerator_and_gdb_socket(tmp_path, fake_back_ends):
    files = {"k": tmp_path / "k.elf"}
    with backends.open_host("qemu", "tcg", tmp_path / "cache", tmp_path / "work", files, print,
                            gdb_socket=tmp_path / "gdb.sock") as host:
        assert host.args == ("the image", tmp_path / "work", files, "tcg", print)
        assert host.kwargs == {"gdb_socket": tmp_path / "gdb.sock"}
    assert fake_back_ends == [tmp_path / "cache"] and host.left


def test_the_opener_builds_the_image_one_boot_at_a_time(tmp_path, monkeypatch):
    FakeBackEnd.made = []
    inside, most = [0], [0]

    def slow_build(cache, log):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        inside[0] -= 1
        return "the image"
    monkeypatch.setattr(image, "build", slow_build)
    monkeypatch.setattr(qemu, "QemuXenHost", FakeBackEnd)
    open_one = backends.opener("qemu", "kvm", tmp_path / "cache", print)

    def boot(number):
        with open_one({"k": tmp_path / "k.elf"}, tmp_path / f"boot-{number}"):
            pass
    lanes = [threading.Thread(target=boot, args=(n,)) for n in range(4)]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    assert most[0] == 1
    assert sorted(host.args[1].name for host in FakeBackEnd.made) == ["boot-0", "boot-1", "boot-2", "boot-3"]
    assert {host.args[3] for host in FakeBackEnd.made} == {"kvm"}
