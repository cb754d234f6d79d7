#!/usr/bin/env python3
"""Signals' figures: what one fault costs when it becomes a Go panic that recover catches
(stage 09's milestone), and what one preemption costs (stage 10's).

A benchmark, not a test: it asserts nothing and prints what it measured.  It boots stage 10,
which has both, with
the command line `nilbench strace=none` --runs times in one test host: the Go program makes
2000 nil dereferences, each recovered, and prints their total time by Go's own clock (the
kernel's Xen-time clock).  One round trip is the page fault, the kernel's delivery of SIGSEGV,
Go's handler, rt_sigreturn, sigpanic, the panic and the recover.  Then it boots the `cpu`
scenario --runs times and reads the scheduler's lines at poweroff: the kernel's counters and
the average time of a preemption, from the upcall's entry to the next thread running
(preempt.cpp: the FPU state saved, the devices polled, the switch).

Usage: tools/benchmark-signals.py [--runs 5] [--build-dir build]
Stage 10 must be built (cmake --build build, or python3 -m checker run 10-preempt).
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import build  # noqa: E402
from checker.errors import CheckerError  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402

STAGE = "10-preempt"
LINE = re.compile(rb"nilbench: (\d+) recovered nil dereferences in ([0-9.]+) ms: ([0-9.]+) us each")
COUNTERS = re.compile(rb"^scheduler: (\d+ time slices ended.*)$", re.M)
PREEMPTION = re.compile(rb"^scheduler: a preemption took ([0-9.]+) us on average", re.M)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    args = ap.parse_args()
    (stage, scenarios), = select(discover(ROOT / "stages"), [f"{STAGE}/no-vif"])
    elf = build.kernel_path(args.build_dir, stage.name, scenarios[0].kernel)
    if not elf.exists():
        print(f"benchmark: {elf} is not built; run: cmake --build {args.build_dir}", file=sys.stderr)
        return 1
    bench = dataclasses.replace(scenarios[0], cmdline="nilbench strace=none", inputs=(), timeout_s=120)
    img = image.build(args.build_dir / "testhost", lambda _: None)
    workdir = args.build_dir / "benchmark" / "signals"
    workdir.mkdir(parents=True, exist_ok=True)
    each: list[float] = []
    switch: list[float] = []
    with qemu.QemuXenHost(img, workdir, {STAGE: elf}, "auto", lambda _: None) as host:
        print(f"test host: {host.accel_reason.split(' (')[0]}, ready in {host.boot_seconds:.1f} s")
        runner = Runner(host, workdir / "results", lambda _: None)
        for run in range(1, args.runs + 1):
            r = runner.execute(bench, STAGE)
            m = LINE.search(r.console)
            if m is None:
                (workdir / f"run-{run}.txt").write_bytes(r.console)
                print(f"  run {run}: no nilbench line ({r.end}); console in {workdir}/run-{run}.txt")
                continue
            each.append(float(m.group(3)))
            print(f"  run {run}: {m.group(1).decode()} in {m.group(2).decode()} ms: {m.group(3).decode()} us each")
        cpu = dataclasses.replace(scenarios[0], cmdline="cpu strace=none", inputs=(), timeout_s=180)
        switch: list[float] = []
        for run in range(1, args.runs + 1):
            r = runner.execute(cpu, STAGE)
            m, c = PREEMPTION.search(r.console), COUNTERS.search(r.console)
            if m is None or c is None:
                (workdir / f"cpu-run-{run}.txt").write_bytes(r.console)
                print(f"  cpu run {run}: no scheduler lines ({r.end}); console in {workdir}/cpu-run-{run}.txt")
                continue
            switch.append(float(m.group(1)))
            print(f"  cpu run {run}: {c.group(1).decode()}; a preemption {m.group(1).decode()} us")
    if each:
        print(f"one recovered nil dereference (fault, delivery, handler, rt_sigreturn, panic, recover): "
              f"median {statistics.median(each):.1f} us of {len(each)} runs")
    if switch:
        print(f"one preemption (upcall entry to the next thread running): median {statistics.median(switch):.1f} us "
              f"of {len(switch)} runs")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckerError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        sys.exit(2)
