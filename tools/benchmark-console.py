#!/usr/bin/env python3
"""Stage 07's figures: how long one typed line takes, and each console scenario's run time.

A benchmark, not a test: it asserts nothing and prints what it measured.

  round trip    the console showing the prompt "Hello, what's your name? " to the console
                showing the greeting "Hello, Gopher", for the boot scenario: the checker sees
                the prompt, sends "Gopher" Enter through the agent and the pty, xenconsoled puts
                it in the ring, the guest echoes it and Go prints the greeting, which comes back
                through xenconsoled's log (both ends timed by the agent in dom0, median of --runs)
  scenarios     xl create to the domain's end for each of the stage's scenarios (median)

Usage: tools/benchmark-console.py [--runs 5] [--build-dir build]
Stage 07 must be built (cmake --build build, or python3 -m checker run 07-console-read).
"""
from __future__ import annotations

import argparse
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

STAGE = "07-console-read"
PROMPT = b"Hello, what's your name? "
GREETING = b"Hello, Gopher\r\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    args = ap.parse_args()

    (stage, scenarios), = select(discover(ROOT / "stages"), [STAGE])
    elf = build.kernel_path(args.build_dir, stage.name, scenarios[0].kernel)
    if not elf.exists():
        print(f"benchmark: {elf} is not built; run: cmake --build {args.build_dir}", file=sys.stderr)
        return 1
    img = image.build(args.build_dir / "testhost", lambda _: None)
    workdir = args.build_dir / "benchmark" / "console"
    workdir.mkdir(parents=True, exist_ok=True)
    boot = next(sc for sc in scenarios if sc.name == "boot")
    with qemu.QemuXenHost(img, workdir, {STAGE: elf}, "auto", lambda _: None) as host:
        print(f"test host: {host.accel_reason.split(' (')[0]}, ready in {host.boot_seconds:.1f} s")
        runner = Runner(host, workdir / "results", lambda _: None)
        trips = []
        for run in range(1, args.runs + 1):
            r = runner.execute(boot, STAGE)
            asked, answered = r.seconds_until(PROMPT), r.seconds_until(GREETING)
            if asked is None or answered is None:
                print(f"  run {run}: no {'prompt' if asked is None else 'greeting'} ({r.end})")
                continue
            trips.append(answered - asked)
            print(f"  run {run}: prompt at {asked:.2f} s, greeting at {answered:.2f} s: {1000 * (answered - asked):.0f} ms",
                  flush=True)
        if trips:
            print(f"round trip of one typed line (prompt seen -> greeting seen): median "
                  f"{1000 * statistics.median(trips):.0f} ms of {len(trips)} runs "
                  f"(min {1000 * min(trips):.0f}, max {1000 * max(trips):.0f})")
        for sc in scenarios:
            times = [runner.execute(sc, STAGE).elapsed_s for _ in range(args.runs)]
            print(f"  {sc.id}: median {statistics.median(times):.1f} s (xl create to end, {args.runs} runs)", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckerError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        sys.exit(2)
