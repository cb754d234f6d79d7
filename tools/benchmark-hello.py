#!/usr/bin/env python3
"""Stage 06's figures: image size, domain create to "Hello World!", smallest guest memory.

A benchmark, not a test: it asserts nothing and prints what it measured.

  image size       kernel.elf on disk, and loaded (sum of PT_LOAD sizes, what Xen maps)
  to hello         `xl create` to the first console bytes containing "Hello World!", median of
                   --runs boots (timed inside dom0 by the agent), for stage 06 and for a minimal
                   Linux PV domU in the same test host: Debian's kernel (the dom0 kernel) with
                   a busybox initramfs whose /init prints "Hello World!" and powers off
  smallest memory  the least guest memory (MiB, from --memory-sizes) at which stage 06 still
                   prints "Hello World!" and powers off cleanly

Usage: tools/benchmark-hello.py [--runs 5] [--build-dir build] [--memory-sizes 32,24,16,12,10,8]
Stage 06 must be built (cmake --build build, or python3 -m checker run 06-hello).
"""
from __future__ import annotations

import argparse
import dataclasses
import gzip
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import build  # noqa: E402
from checker.errors import CheckerError  # noqa: E402
from checker.spec import discover, select  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402

STAGE = "06-hello"
GREETING = b"Hello World!"
LINUX_MEMORY_MB = 128

INIT_SCRIPT = b"""#!/bin/busybox sh
/bin/busybox echo "Hello World!"
/bin/busybox poweroff -f
"""


def loaded_size(elf: Path) -> int:
    import struct
    data = elf.read_bytes()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    total = 0
    for i in range(phnum):
        if struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 1:  # PT_LOAD
            total += struct.unpack_from("<Q", data, phoff + i * phentsize + 0x28)[0]
    return total


def cpio(entries: list[tuple[str, int, bytes, tuple[int, int]]]) -> bytes:
    """A newc archive: (path, mode, data, (rdev major, minor)) per entry."""
    out = bytearray()
    for ino, (name, mode, data, rdev) in enumerate(entries + [("TRAILER!!!", 0, b"", (0, 0))], start=1):
        nb = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0]
        out += b"070701" + b"".join(b"%08x" % f for f in fields) + nb
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def linux_hello_initrd(path: Path) -> Path:
    busybox = Path("/bin/busybox").read_bytes()
    path.write_bytes(gzip.compress(cpio([
        ("bin", 0o040755, b"", (0, 0)),
        ("dev", 0o040755, b"", (0, 0)),
        ("dev/console", 0o020600, b"", (5, 1)),  # the kernel opens it for init's stdout
        ("bin/busybox", 0o100755, busybox, (0, 0)),
        ("init", 0o100755, INIT_SCRIPT, (0, 0)),
    ]), 6))
    return path


def time_to_greeting(host, name: str, kernel: str, memory_mb: int, cmdline: str, ramdisk: str = "",
                     timeout_s: float = 300) -> tuple[float | None, str, bytes]:
    """Boots one domain; returns (seconds from xl create to the greeting or None, end, console)."""
    link = host.link
    fields = ["RUN", name, kernel, str(memory_mb), cmdline.encode().hex()]
    if ramdisk:
        fields.append(ramdisk)
    link.send(*fields)
    console = bytearray()
    seen: float | None = None
    deadline = time.monotonic() + timeout_s
    killed = False
    while True:
        msg = link.recv(max(0.05, deadline - time.monotonic()))
        if msg is None:
            if killed:
                raise CheckerError(f"{name}: xl did not destroy the domain")
            link.send("KILL")
            killed = True
            deadline = time.monotonic() + 30
            continue
        if msg.kind == "CON":
            console += msg.data(1)
            if seen is None and GREETING in console:
                seen = int(msg.fields[0]) / 1000
        elif msg.kind == "END":
            return seen, ("timeout" if killed else msg.fields[0]), bytes(console)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--memory-sizes", default="32,24,16,12,10,8")
    args = ap.parse_args()

    (stage, scenarios), = select(discover(ROOT / "stages"), [STAGE])
    scenario = scenarios[0]
    elf = build.kernel_path(args.build_dir, stage.name, scenario.kernel)
    if not elf.exists():
        print(f"benchmark: {elf} is not built; run: cmake --build {args.build_dir}", file=sys.stderr)
        return 1
    print(f"{STAGE}: kernel.elf {elf.stat().st_size / 1e6:.2f} MB on disk, {loaded_size(elf) / 1e6:.2f} MB loaded "
          f"(goal: under 2.5 MB)")

    img = image.build(args.build_dir / "testhost", lambda _: None)
    workdir = args.build_dir / "benchmark" / "hello"
    workdir.mkdir(parents=True, exist_ok=True)
    initrd = linux_hello_initrd(workdir / "linux-hello-initrd.cpio.gz")
    payload = {STAGE: elf, "linux": img.kernel, "linux-initrd": initrd}
    with qemu.QemuXenHost(img, workdir, payload, "auto", lambda _: None) as host:
        print(f"test host: {host.accel_reason.split(' (')[0]}, ready in {host.boot_seconds:.1f} s")
        results: dict[str, list[float]] = {STAGE: [], "linux": []}
        for run in range(1, args.runs + 1):
            t, end, _ = time_to_greeting(host, f"bench-unigornel-{run}", host.kernel_path(STAGE),
                                         scenario.memory_mb, scenario.cmdline)
            if t is not None:
                results[STAGE].append(t)
            print(f"  run {run}: {STAGE} {'no greeting' if t is None else f'{t:.2f} s'} ({end})", flush=True)
            t, end, console = time_to_greeting(host, f"bench-linux-{run}", host.kernel_path("linux"), LINUX_MEMORY_MB,
                                               "console=hvc0 quiet", host.kernel_path("linux-initrd"))
            if t is not None:
                results["linux"].append(t)
            else:
                (workdir / "linux-console.txt").write_bytes(console)
            print(f"  run {run}: Linux PV {'no greeting' if t is None else f'{t:.2f} s'} ({end})", flush=True)
        med = {k: statistics.median(v) for k, v in results.items() if v}
        for name, label in ((STAGE, f"{STAGE} ({scenario.memory_mb} MiB)"),
                            ("linux", f"Linux PV domU ({LINUX_MEMORY_MB} MiB, busybox initramfs)")):
            got = f"{med[name]:.2f} s" if name in med else "never printed it"
            print(f"xl create to \"Hello World!\": {label}: median {got} of {len(results[name])} runs")
        if STAGE in med and "linux" in med:
            print(f"ratio {STAGE} / Linux: {med[STAGE] / med['linux']:.2f}")

        smallest = None
        for mb in sorted({int(x) for x in args.memory_sizes.split(",")}, reverse=True):
            t, end, console = time_to_greeting(host, f"bench-mem-{mb}", host.kernel_path(STAGE), mb, scenario.cmdline,
                                               timeout_s=120)
            ok = t is not None and end == "poweroff"
            (workdir / f"memory-{mb}.txt").write_bytes(console)
            print(f"  {mb} MiB: {'passes' if ok else f'fails ({end})'}", flush=True)
            if ok:
                smallest = mb
            else:
                break
        print(f"smallest guest memory at which hello passes: {smallest} MiB (goal: 16 MiB)" if smallest
              else "hello did not pass at any of the sizes tried")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckerError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        sys.exit(2)
