"""`checker run` end to end with a fake build and a fake host: what a grader finds afterwards.

The build steps are replaced (a "build" that works creates the kernel file, one that fails
returns a chosen log) and the host is a scripted agent, so the real Runner, verdicts, result
directories and report are what is tested.
"""
import contextlib
import errno
import json
import subprocess
from pathlib import Path

import pytest

from checker import build, buildenv, cli
from checker.build import BuildResult
from checker.testhost.link import Message

STAGE_TOML = """\
[stage]
title = "TLS"

[run]
expect_end = "shutdown"

[[scenario]]
name = "boot"

[[scenario]]
name = "trap-demo"
transcript = "expected-trap-demo.txt"
"""


class ScriptedLink:
    """Every RUN prints "hello" and powers off."""

    closed = False

    def __init__(self):
        self.queue: list[Message] = []

    def send(self, *words: str) -> None:
        if words[0] == "RUN":
            self.queue += [Message("CON", ["1", b"hello\n".hex()]), Message("END", ["poweroff", "10"])]

    def recv(self, timeout: float):
        return self.queue.pop(0) if self.queue else None


class FakeHost:
    accel_reason, xen_version, boot_seconds = "a fake", "4.17", 0.0

    def __init__(self):
        self.link = ScriptedLink()

    def kernel_path(self, name: str) -> str:
        return f"/stages/{name}.elf"

    def serial_tail(self, lines: int = 25) -> str:
        return ""


@pytest.fixture
def kit(tmp_path, monkeypatch):
    """A repository with stage 03-tls (two scenarios); returns (root, build state, host boots)."""
    stage = tmp_path / "stages" / "03-tls"
    stage.mkdir(parents=True)
    (stage / "stage.toml").write_text(STAGE_TOML)
    (stage / "expected-console.txt").write_text("hello\n")
    (stage / "expected-trap-demo.txt").write_text("hello\n")
    state = {"log": None, "built": []}  # log None: the build works
    boots: list[int] = []

    def build_stage(build_dir, name, log):
        state["built"].append(name)
        if state["log"] is None:
            kernel = build.kernel_path(build_dir, name, "kernel.elf")
            kernel.parent.mkdir(parents=True, exist_ok=True)
            kernel.write_bytes(b"\x7fELF")
            return BuildResult(True, "", 0.0)
        failed = subprocess.CompletedProcess([], 2, stdout=state["log"], stderr="")
        return build._result(failed, build_dir, 0.0)

    @contextlib.contextmanager
    def host(args, kernels):
        boots.append(1)
        yield FakeHost()

    monkeypatch.setattr(build, "configure", lambda repo, build_dir, log: BuildResult(True, "", 0.0))
    monkeypatch.setattr(build, "build_stage", build_stage)
    monkeypatch.setattr(cli, "_host", host)
    return tmp_path, state, boots


def run(root: Path, *argv: str) -> int:
    return cli.main(["--repo", str(root), "--build-dir", str(root / "build"), *argv])


def result(root: Path, *parts: str) -> dict:
    return json.loads((root / "build" / "checker" / Path(*parts) / "result.json").read_text())


COMPILER_LOG = "[1/3] Building CXX object main.cpp.o\nmain.cpp:3:1: error: expected ';'\nninja: build stopped\n"


def test_a_failed_build_leaves_no_pass_of_an_earlier_run(kit, capsys):
    root, state, _ = kit
    assert run(root, "run", "03-tls") == 0
    assert result(root, "03-tls", "boot")["verdict"] == "PASS"
    kept = root / "build" / "checker" / "03-tls" / "boot"
    assert (kept / "console.txt").exists()
    (kept / "notes-of-an-old-run.txt").write_text("stale")

    state["log"] = COMPILER_LOG
    assert run(root, "run", "03-tls") == 1
    for name in ("boot", "trap-demo"):
        assert result(root, "03-tls", name)["verdict"] == "BUILD-ERROR"
    # Only this run's file: no console, diff or stray file of the run that passed.
    assert sorted(p.name for p in kept.iterdir()) == ["result.json"]
    assert "expected ';'" in result(root, "03-tls", "boot")["details"]


def test_the_build_log_is_printed_once_per_stage(kit, capsys):
    root, state, _ = kit
    state["log"] = COMPILER_LOG
    assert run(root, "run", "03-tls") == 1
    out = capsys.readouterr().out
    assert out.count("expected ';'") == 1
    assert "its build log is shown under 03-tls" in out
    assert result(root, "03-tls", "trap-demo")["summary"].endswith("shown under 03-tls")


@pytest.mark.parametrize("line", [
    "/b/stages/03-tls/main.o: No space left on device",
    "ld: cannot open output file kernel.elf: Read-only file system",
    "error: unable to open '{build}/stages/03-tls/x.o': Permission denied",
])
def test_a_build_that_the_machine_broke_is_a_host_error_naming_the_cause(kit, capsys, line):
    root, state, _ = kit
    line = line.format(build=root / "build")
    state["log"] = f"[1/3] Building CXX object main.cpp.o\n{line}\nninja: build stopped\n"
    assert run(root, "run", "03-tls") == 1
    res = result(root, "03-tls", "boot")
    assert res["verdict"] == "HOST-ERROR"
    assert line in res["summary"] and "not your kernel" in res["summary"]
    assert "did not build" not in capsys.readouterr().out


def test_permission_denied_elsewhere_is_still_the_codes_build_error(kit):
    root, state, _ = kit
    state["log"] = "/bin/sh: 1: stages/03-tls/gen.sh: Permission denied\n"
    assert run(root, "run", "03-tls") == 1
    assert result(root, "03-tls", "boot")["verdict"] == "BUILD-ERROR"


@pytest.mark.parametrize("err, words", [
    (errno.EROFS, "it is on a read-only file system"),
    (errno.ENOSPC, "No space left on device"),
    (errno.EACCES, "Permission denied"),
])
def test_an_unusable_build_dir_is_a_host_error_before_anything_is_built(kit, monkeypatch, capsys, err, words):
    root, state, boots = kit

    def refuse(*args, **kwargs):
        raise OSError(err, "refused")

    assert run(root, "run", "03-tls") == 0  # an earlier run that passed
    monkeypatch.setattr(buildenv.tempfile, "mkstemp", refuse)
    state["built"].clear()
    capsys.readouterr()
    assert run(root, "run", "03-tls") == 1
    out = capsys.readouterr().out
    assert f"HOST-ERROR  03-tls  " in out
    assert f"cannot write to the build directory {root / 'build'}: " in out and words in out
    assert "did not build" not in out
    assert state["built"] == [] and boots == [1]  # only the earlier run booted
    # Where files can still be written (here the probe was refused, not the disk), the old
    # PASS is replaced by this run's verdict.
    assert result(root, "03-tls", "boot")["verdict"] == "HOST-ERROR"


def test_a_nearly_full_build_dir_is_a_host_error(kit, monkeypatch, capsys):
    root, state, _ = kit

    class Full:
        f_bavail, f_frsize = 10, 4096

    monkeypatch.setattr(buildenv.os, "statvfs", lambda path: Full())
    assert run(root, "run", "03-tls") == 1
    out = capsys.readouterr().out
    assert "has only 0 MiB free" in out and "No space left on device" in out
    assert state["built"] == []


def test_a_broken_stage_toml_fails_only_its_own_stage(kit, capsys):
    root, _, _ = kit
    broken = root / "stages" / "02-rt0"
    broken.mkdir()
    (broken / "stage.toml").write_text('[stage]\ntitle = "rt0"\n[run]\nmemory_mb = \n')
    assert run(root, "list") == 0
    listed = capsys.readouterr().out
    assert "03-tls" in listed and "TLS" in listed
    assert f"02-rt0             SPEC-ERROR: {broken / 'stage.toml'}: not valid TOML" in listed
    assert "line 4" in listed

    assert run(root, "run") == 1
    out = capsys.readouterr().out
    assert "PASS        03-tls  " in out and "PASS        03-tls/trap-demo" in out
    assert "SPEC-ERROR  02-rt0  " in out
    assert result(root, "02-rt0")["verdict"] == "SPEC-ERROR"
    assert run(root, "run", "02") == 1  # named on its own: its error, not "unknown stage"
    assert "SPEC-ERROR  02-rt0" in capsys.readouterr().out


def test_a_misspelt_transcript_is_reported_before_the_host_boots(kit, capsys):
    root, state, boots = kit
    toml = root / "stages" / "03-tls" / "stage.toml"
    toml.write_text(STAGE_TOML.replace("expected-trap-demo.txt", "expected-trap-dmeo.txt"))
    assert run(root, "run", "03-tls/trap-demo") == 1
    out = capsys.readouterr().out
    assert "SPEC-ERROR  03-tls/trap-demo" in out
    assert "did you mean 'expected-trap-demo.txt'?" in out
    assert boots == [] and state["built"] == []
    assert result(root, "03-tls", "trap-demo")["verdict"] == "SPEC-ERROR"


def test_an_unknown_stage_number_says_it_is_not_in_this_edition(kit, capsys):
    root, _, _ = kit
    assert run(root, "run", "7") == 2
    assert "stage 07 is not in this edition yet (stages here: 03-tls … 03-tls)" in capsys.readouterr().err


def test_a_host_that_fails_leaves_a_host_error_for_every_scenario(kit, monkeypatch):
    root, _, _ = kit
    assert run(root, "run", "03-tls") == 0

    class DeadLink(ScriptedLink):
        closed = True

        def send(self, *words):
            pass

    @contextlib.contextmanager
    def dying_host(args, kernels):
        host = FakeHost()
        host.link = DeadLink()
        yield host

    monkeypatch.setattr(cli, "_host", dying_host)
    assert run(root, "run", "03-tls") == 1
    for name in ("boot", "trap-demo"):
        assert result(root, "03-tls", name)["verdict"] == "HOST-ERROR"
    assert not (root / "build" / "checker" / "03-tls" / "boot" / "console.txt").exists()


def test_no_build_boots_the_kernels_there_and_compiles_nothing(kit, monkeypatch, capsys):
    root, state, boots = kit
    monkeypatch.setattr(build, "configure", lambda *a: pytest.fail("--no-build must not configure"))
    kernel = build.kernel_path(root / "build", "03-tls", "kernel.elf")
    kernel.parent.mkdir(parents=True)
    kernel.write_bytes(b"\x7fELF")
    assert run(root, "run", "--no-build", "03-tls") == 0
    assert state["built"] == [] and boots == [1]
    assert "build: --no-build: 1 kernel(s) found" in capsys.readouterr().out


def test_no_build_without_a_kernel_is_a_build_error_that_says_what_to_do(kit, monkeypatch):
    root, state, boots = kit
    assert run(root, "run", "--no-build", "03-tls") == 1
    res = result(root, "03-tls", "boot")
    assert res["verdict"] == "BUILD-ERROR" and state["built"] == [] and boots == []
    assert "--no-build: there is no" in res["summary"] + res.get("details", "")
