"""The embedded Xen test host: Debian's Xen 4.17 + a Debian dom0 inside qemu-system-x86_64.

One boot serves a whole checker run.  The stage kernels reach dom0 in a second, uncompressed
cpio archive appended to the dom0 initramfs (Linux unpacks concatenated archives), so the host
image itself is never rebuilt for a new kernel.  QEMU's first UART carries Xen's console (and
dom0's, through hvc0) to a log file; the second is the agent's line, on a unix socket.

The QEMU process is always torn down: by HALT (dom0 reboots, Xen resets the machine and
-no-reboot turns that into an exit), and if that does not happen in time, by killing it.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable

from ..errors import HostError
from .image import HostImage, SETUP_HINT
from .lifeline import die_with_parent
from .link import AgentLink

# Why this CPU model: under TCG, QEMU's "max" CPU offers SMAP, and the Debian 6.1 PV dom0 then
# dies in Xen's create_bounce_frame on its first exception (Xen runs PV guest kernels in ring 3
# and cannot deliver a bounce frame with SMAP's AC rules as QEMU emulates them); with SMAP and
# SMEP off the same dom0 boots.  See book/setup.md.
TCG_CPU = "max,-smap,-smep"
KVM_CPU = "host"
QEMU_MEMORY_MB = 2048
DOM0_MEMORY_MB = 512
XEN_ARGS = ("console=com1 com1=115200,8n1 dom0_mem={m}M,max:{m}M dom0_max_vcpus=1 "
            "loglvl=all guest_loglvl=all console_to_ring")
DOM0_ARGS = "console=hvc0 earlyprintk=xen rdinit=/init quiet loglevel=4"
READY_TIMEOUT_S = 180.0

KVM_GET_API_VERSION = 0xAE00
KVM_CREATE_VM = 0xAE01


def probe_kvm() -> tuple[bool, str]:
    """Can this machine run Xen under KVM?  The device node alone does not say so."""
    if not os.path.exists("/dev/kvm"):
        return False, "no /dev/kvm"
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError as e:
        return False, f"/dev/kvm cannot be opened ({e.strerror})"
    try:
        if fcntl.ioctl(fd, KVM_GET_API_VERSION) != 12:
            return False, "/dev/kvm speaks an unexpected KVM API version"
        vm = fcntl.ioctl(fd, KVM_CREATE_VM, 0)
        os.close(vm)
    except OSError as e:
        return False, f"/dev/kvm refused to create a VM ({e.strerror})"
    finally:
        os.close(fd)
    flags = Path("/proc/cpuinfo").read_text()
    if " vmx" not in flags and " svm" not in flags:
        # Seen on this project's machines: a /dev/kvm that creates VMs in a software-only mode,
        # on which Xen fails at its first 64-bit instruction.
        return False, "/dev/kvm creates VMs but the CPU has no vmx/svm, so it cannot run a hypervisor"
    return True, "/dev/kvm creates VMs and the CPU has hardware virtualisation"


def choose_accel(requested: str) -> tuple[str, str]:
    """Returns ("kvm"|"tcg", one-line reason)."""
    if requested == "tcg":
        return "tcg", "TCG (requested)"
    ok, why = probe_kvm()
    if requested == "kvm":
        if not ok:
            raise HostError(f"--accel kvm: {why}")
        return "kvm", f"KVM ({why})"
    return ("kvm", f"KVM ({why})") if ok else ("tcg", f"TCG software emulation ({why})")


def cpio_newc(entries: list[tuple]) -> bytes:
    """An uncompressed newc cpio archive.

    Each entry is (path, data) -- data None for a directory, else a 0644 file -- or
    (path, data, mode) or (path, data, mode, (rdev major, rdev minor)) for anything else
    (executables, device nodes).
    """
    out = bytearray()

    def add(name: str, mode: int, data: bytes, ino: int, rdev: tuple[int, int]) -> None:
        nb = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0]
        out.extend(b"070701" + b"".join(b"%08x" % f for f in fields) + nb)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for i, (name, data, *rest) in enumerate(entries, start=1):
        mode = rest[0] if rest else (0o040755 if data is None else 0o100644)
        rdev = rest[1] if len(rest) > 1 else (0, 0)
        add(name, mode, data or b"", i, rdev)
    add("TRAILER!!!", 0, b"", 0, (0, 0))
    return bytes(out)


class QemuXenHost:
    """Context manager: boots the test host, yields the agent link, always tears QEMU down."""

    def __init__(self, image: HostImage, workdir: Path, payload: dict[str, Path],
                 accel: str = "auto", log: Callable[[str], None] = print, gdb_socket: Path | None = None):
        self.image = image
        # `checker debug`: QEMU's own gdb server on this unix socket (debug.py says why QEMU's).
        self.gdb_socket = gdb_socket
        self.workdir = workdir
        self.payload = payload
        self.accel, self.accel_reason = choose_accel(accel)
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.link: AgentLink | None = None
        self.serial_log = workdir / "xen-serial.log"
        self.boot_seconds = 0.0
        self.xen_version = ""
        self.ready = False  # the agent answered: HALT can power the host off cleanly

    def local_file(self, name: str) -> Path | None:
        """The payload file `name` on this machine (the runner reads a kernel's symbols there)."""
        return self.payload.get(name)

    def kernel_path(self, name: str) -> str:
        """Where dom0 finds the payload file `name`: /stages/<name> with the file's own suffix
        (.elf for a kernel, .gz for a ramdisk, .frames for a frame corpus)."""
        suffix = self.payload[name].suffix if name in self.payload else ".elf"
        return f"/stages/{name}{suffix}"

    def _initrd(self) -> Path:
        base = self.image.initrd.read_bytes()
        entries: list[tuple[str, bytes | None]] = [("stages", None)]
        for name, path in sorted(self.payload.items()):
            entries.append((self.kernel_path(name).lstrip("/"), path.read_bytes()))
        run = self.workdir / "dom0-run.cpio.gz"
        # The appended archive must start 4-byte aligned; Linux skips the zero padding.
        run.write_bytes(base + b"\0" * (-len(base) % 512) + cpio_newc(entries))
        return run

    def command(self, initrd: Path, sock_path: Path) -> list[str]:
        qemu = shutil.which("qemu-system-x86_64")
        if not qemu:
            raise HostError(f"qemu-system-x86_64 is not installed (package qemu-system-x86): {SETUP_HINT}")
        cpu = KVM_CPU if self.accel == "kvm" else TCG_CPU
        accel = "kvm" if self.accel == "kvm" else "tcg,thread=multi"
        modules = f"{self.image.kernel} {DOM0_ARGS},{initrd}"
        return [qemu, "-machine", "pc", "-accel", accel, "-cpu", cpu, "-smp", "2",
                "-m", str(QEMU_MEMORY_MB), "-nodefaults", "-display", "none", "-no-reboot",
                "-kernel", str(self.image.xen), "-append", XEN_ARGS.format(m=DOM0_MEMORY_MB),
                "-initrd", modules,
                "-serial", f"file:{self.serial_log}",
                "-chardev", f"socket,id=agent,path={sock_path},server=on,wait=off",
                "-device", "virtio-serial-pci,id=agentbus",
                "-device", "virtserialport,bus=agentbus.0,chardev=agent,name=unigornel.agent",
                *(["-chardev", f"socket,id=gdb,path={self.gdb_socket},server=on,wait=off", "-gdb", "chardev:gdb"]
                  if self.gdb_socket else [])]

    def __enter__(self) -> "QemuXenHost":
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        sock_path = self.workdir / "agent.sock"
        sock_path.unlink(missing_ok=True)
        initrd = self._initrd()
        cmd = self.command(initrd, sock_path)
        (self.workdir / "qemu-command.txt").write_text(" ".join(cmd) + "\n")
        t0 = time.monotonic()
        self.log(f"test host: booting Xen + dom0 in QEMU, accelerator: {self.accel_reason}")
        # Its own session, so that close() can kill QEMU's whole process group; and it dies
        # with the checker even when the checker is killed with -9 (lifeline.py).
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=die_with_parent())
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
                raise HostError(f"QEMU exited at start (code {self.proc.returncode}):\n{out.strip()[-1500:]}")
            try:
                self.sock.connect(str(sock_path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() - t0 > 30:
                    raise HostError("QEMU did not open the agent socket within 30 s")
                time.sleep(0.05)
        self.link = AgentLink(self.sock.fileno(), self.sock.fileno())
        deadline = t0 + READY_TIMEOUT_S
        while True:
            msg = self.link.recv(min(1.0, max(0.0, deadline - time.monotonic())))
            if msg is not None and msg.kind == "READY":
                self.xen_version = msg.fields[1] if len(msg.fields) > 1 else "?"
                break
            if self.proc.poll() is not None:
                raise HostError(f"the test host stopped while booting (QEMU exit {self.proc.returncode})\n"
                                + self.serial_tail())
            if time.monotonic() > deadline:
                raise HostError(f"the test host's dom0 was not ready after {READY_TIMEOUT_S:.0f} s\n"
                                + self.serial_tail())
        self.link.send("PING")
        while (msg := self.link.recv(10)) is not None and msg.kind != "PONG":
            pass
        self.boot_seconds = time.monotonic() - t0
        self.ready = True
        self.log(f"test host: Xen {self.xen_version} and dom0 ready in {self.boot_seconds:.1f} s")

    def hypervisor_log_mark(self) -> int:
        """Where Xen's serial log ends now; hypervisor_log_since(mark) reads what comes after."""
        try:
            return self.serial_log.stat().st_size
        except OSError:
            return 0

    def hypervisor_log_since(self, mark: int) -> list[str]:
        """The serial log's lines written since `mark` (Xen's own and dom0's)."""
        try:
            with open(self.serial_log, "rb") as f:
                f.seek(mark)
                return f.read(1 << 20).decode(errors="replace").splitlines()
        except OSError:
            return []

    def serial_tail(self, lines: int = 25) -> str:
        try:
            text = self.serial_log.read_text(errors="replace")
        except OSError:
            return "(no serial log)"
        tail = text.splitlines()[-lines:]
        return f"last lines of {self.serial_log}:\n" + "\n".join("  | " + line for line in tail)

    def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None and self.ready and not self.link.closed:
            try:
                self.link.send("HALT")
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.sock is not None:
            self.sock.close()
        self.proc = None
