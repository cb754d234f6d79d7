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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from benchmark import loaded_size  # noqa: E402  (tools/benchmark.py)
from checker import build  # noqa: E402
from checker.errors import CheckerError  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402

STAGE = "06-hello"
GREETING = b"Hello World!"
LINUX_MEMORY_MB = 128

INIT_SCRIPT = b"""#!/bin/busybox sh
/bin/busybox echo "Hello World!"
/bin/busybox poweroff -f
"""


def linux_hello_initrd(path: Path) -> Path:
    path.write_bytes(gzip.compress(qemu.cpio_newc([
        ("bin", None),
        ("dev", None),
        ("dev/console", b"", 0o020600, (5, 1)),  # the kernel opens it for init's stdout
        ("bin/busybox", Path("/bin/busybox").read_bytes(), 0o100755),
        ("init", INIT_SCRIPT, 0o100755),
    ]), 6))
    return path


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
        runner = Runner(host, workdir / "results", lambda _: None)
        linux = dataclasses.replace(scenario, memory_mb=LINUX_MEMORY_MB, cmdline="console=hvc0 quiet", timeout_s=300)
        results: dict[str, list[float]] = {STAGE: [], "linux": []}
        for run in range(1, args.runs + 1):
            r = runner.execute(scenario, STAGE)
            t = r.seconds_until(GREETING)
            if t is not None:
                results[STAGE].append(t)
            print(f"  run {run}: {STAGE} {'no greeting' if t is None else f'{t:.2f} s'} ({r.end})", flush=True)
            r = runner.execute(linux, "linux", ramdisk="linux-initrd")
            t = r.seconds_until(GREETING)
            if t is not None:
                results["linux"].append(t)
            else:
                (workdir / "linux-console.txt").write_bytes(r.console)
            print(f"  run {run}: Linux PV {'no greeting' if t is None else f'{t:.2f} s'} ({r.end})", flush=True)
        med = {k: statistics.median(v) for k, v in results.items() if v}
        for name, label in ((STAGE, f"{STAGE} ({scenario.memory_mb} MiB)"),
                            ("linux", f"Linux PV domU ({LINUX_MEMORY_MB} MiB, busybox initramfs)")):
            got = f"{med[name]:.2f} s" if name in med else "never printed it"
            print(f"xl create to \"Hello World!\": {label}: median {got} of {len(results[name])} runs")
        if STAGE in med and "linux" in med:
            print(f"ratio {STAGE} / Linux: {med[STAGE] / med['linux']:.2f}")

        smallest = None
        for mb in sorted({int(x) for x in args.memory_sizes.split(",")}, reverse=True):
            r = runner.execute(dataclasses.replace(scenario, memory_mb=mb, timeout_s=120), STAGE)
            ok = r.seconds_until(GREETING) is not None and r.end == "poweroff"
            (workdir / f"memory-{mb}.txt").write_bytes(r.console)
            print(f"  {mb} MiB: {'passes' if ok else f'fails ({r.end})'}", flush=True)
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
