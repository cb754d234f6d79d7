#!/usr/bin/env python3
"""Prints the kit's speed and size figures.  A benchmark, not a test: it asserts nothing.

  host image build    time to assemble the test host from already-downloaded Debian packages
  host boot           QEMU start to "dom0 toolstack ready", under TCG and (where usable) KVM
  per stage           kernel.elf size on disk and loaded into memory (sum of PT_LOAD sizes);
                      `xl create` to first console byte and to the end of the domain (median of
                      --runs boots, timed inside dom0 by the agent)

Usage: tools/benchmark.py [--runs N] [--build-dir DIR] [STAGE...]
The stages must have been built (cmake --build build, or python3 -m checker run).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import build  # noqa: E402
from checker.errors import CheckerError  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402


def loaded_size(elf: Path) -> int:
    """Sum of PT_LOAD p_memsz: what Xen's domain builder maps for the image."""
    data = elf.read_bytes()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    total = 0
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", data, phoff + i * phentsize)
        if p_type == 1:  # PT_LOAD
            total += struct.unpack_from("<Q", data, phoff + i * phentsize + 0x28)[0]
    return total


def quiet(_: str) -> None:
    pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stages", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    args = ap.parse_args()
    cache = args.build_dir / "testhost"

    img = image.build(cache, quiet)  # downloads once, if needed
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        shutil.copytree(cache / "debs", scratch / "debs")
        t0 = time.monotonic()
        image.build(scratch, quiet, force=True)
        print(f"host image build (packages already downloaded): {time.monotonic() - t0:.1f} s, "
              f"initramfs {img.initrd.stat().st_size / 1e6:.1f} MB")

    selection = select(discover(ROOT / "stages"), args.stages)
    kernels = {}
    for stage, scenarios in selection:
        sc = scenarios[0]
        path = build.kernel_path(args.build_dir, stage.name, sc.kernel)
        if not path.exists():
            print(f"{stage.name}: not built ({path}); build it first", file=sys.stderr)
            return 1
        kernels[stage.name] = (sc, path)
        print(f"{stage.name}: kernel.elf {path.stat().st_size / 1e6:.2f} MB on disk, "
              f"{loaded_size(path) / 1e6:.2f} MB loaded")

    accels = ["tcg"]
    ok, why = qemu.probe_kvm()
    if ok:
        accels.append("kvm")
    else:
        print(f"KVM: not measured: {why}")
    for accel in accels:
        workdir = args.build_dir / "benchmark" / accel
        with qemu.QemuXenHost(img, workdir, {n: p for n, (_, p) in kernels.items()}, accel, quiet) as host:
            print(f"host boot to ready ({accel.upper()}): {host.boot_seconds:.1f} s")
            runner = Runner(host, workdir / "results", quiet)
            for name, (sc, _) in kernels.items():
                firsts, ends = [], []
                for _ in range(args.runs):
                    r = runner.execute(sc, name)
                    if r.first_byte_s is not None:
                        firsts.append(r.first_byte_s)
                    ends.append(r.elapsed_s)
                first = f"{statistics.median(firsts):.2f} s" if firsts else "no output"
                print(f"{name} ({accel.upper()}, median of {args.runs}): xl create to first console byte "
                      f"{first}, to end {statistics.median(ends):.2f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckerError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        sys.exit(2)
