"""Both back ends offer everything the Host protocol says the runner and the CLI use.

Constructing a back end starts nothing (the host boots in __enter__), so this runs anywhere.
"""
from pathlib import Path

from checker.runner import Host
from checker.testhost.image import HostImage
from checker.testhost.qemu import QemuXenHost
from checker.testhost.xl_local import LocalXlHost


def test_the_qemu_test_host_is_a_host(tmp_path):
    img = HostImage(xen=Path("xen.gz"), kernel=Path("vmlinuz"), initrd=Path("initrd"), description="test")
    host = QemuXenHost(img, tmp_path, {}, accel="tcg", log=lambda _: None)  # tcg: no KVM probe
    assert isinstance(host, Host)
    assert host.accel_reason == "TCG (requested)"
    assert host.kernel_path("01-link-kernel") == "/stages/01-link-kernel.elf"


def test_payload_files_keep_their_own_suffix_in_dom0(tmp_path):
    img = HostImage(xen=Path("xen.gz"), kernel=Path("vmlinuz"), initrd=Path("initrd"), description="test")
    payload = {"08-ping-kernel": Path("kernel.elf"), "linux-initrd": Path("initrd.cpio.gz"),
               "frames-malformed": Path("frames-malformed.frames")}
    host = QemuXenHost(img, tmp_path, payload, accel="tcg", log=lambda _: None)
    assert [host.kernel_path(name) for name in payload] == [
        "/stages/08-ping-kernel.elf", "/stages/linux-initrd.gz", "/stages/frames-malformed.frames"]


def test_the_local_xl_host_is_a_host(tmp_path):
    kernel = tmp_path / "kernel.elf"
    host = LocalXlHost(tmp_path, {"01-link-kernel": kernel}, log=lambda _: None)
    assert isinstance(host, Host)
    assert host.boot_seconds == 0.0
    assert host.kernel_path("01-link-kernel") == str(kernel.resolve())


def test_the_protocol_names_what_the_cli_prints_and_the_runner_calls():
    # cli._boot_all prints accel_reason, xen_version and boot_seconds; the runner uses link,
    # kernel_path and serial_tail; cli._host enters and exits the back end.
    wanted = {"link", "accel_reason", "xen_version", "boot_seconds", "kernel_path", "serial_tail",
              "__enter__", "__exit__"}
    declared = set(Host.__annotations__) | {name for name in vars(Host) if callable(vars(Host)[name])}
    assert wanted <= declared
