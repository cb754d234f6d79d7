#!/usr/bin/env python3
"""Stage 08's network figures against a minimal Linux PV domU, in one boot of the test host.

A benchmark, not a test: it asserts nothing and prints what it measured.

  round trip       dom0's `ping -c 200 -i 0.01` to the guest: the median and the 99th percentile
                   of the times ping prints for each reply
  flood            dom0's `ping -f -q -c 1000`: echoes answered per second (received / the time
                   ping reports)
  smallest memory  the least guest memory (MiB, from --memory-sizes) at which stage 08 still
                   answers `ping -c 10` 10 out of 10
  host             the test host's start-up (QEMU start to the agent ready) and the time dom0
                   took to load the network modules and make its bridge (the agent's NET)

Both guests get the same kind of vif on dom0's bridge (checker/network.py): stage 08's kernel
with command line `net` (it prints "net: ready, ping me" and leaves on `quit`), and Debian's
kernel with a busybox initramfs that does the same (checker/testhost/linux_domu.py).  The
figures are given for each and as ratios stage 08 / Linux.

Usage: tools/benchmark-ping.py [--build-dir build] [--count 200] [--flood 1000]
                               [--memory-sizes 32,24,16,12] [--linux-only] [--host-boots N]
--linux-only measures the Linux domU alone (stage 08 need not be built); --host-boots N only
boots the test host N times and prints its start-up and NET times.
"""
from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker import build, network  # noqa: E402
from checker.errors import CheckerError  # noqa: E402
from checker.runlock import RunLock  # noqa: E402
from checker.runner import Runner, RunResult  # noqa: E402
from checker.spec import InputStep, Scenario  # noqa: E402
from checker.testhost import image, linux_domu, qemu  # noqa: E402

STAGE = "08-ping"
# quiet: no console line per echo request, and strace=none: no system-call log -- the Linux
# guest it is compared with prints nothing per echo either.  (With the lines, a 300-echo flood
# kept the guest's vCPU busy 3.4 s longer: each line is console hypercalls and xenconsoled's
# time in dom0, on the same physical CPU.)
STAGE_CMDLINE = "net strace=none quiet"
STAGE_MEMORY_MB = 32
READY = re.escape(linux_domu.READY.decode())
TOOL_TIMEOUT_S = 300.0


@dataclass
class Figures:
    rtts_ms: list[float]
    lost: int
    flood_sent: int
    flood_received: int
    flood_seconds: float

    @property
    def median(self) -> float:
        return statistics.median(self.rtts_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.rtts_ms)
        return ordered[math.ceil(0.99 * len(ordered)) - 1]

    @property
    def flood_rate(self) -> float:
        return self.flood_received / self.flood_seconds if self.flood_seconds else 0.0

    def line(self) -> str:
        return (f"round trip median {self.median:.2f} ms, p99 {self.p99:.2f} ms over {len(self.rtts_ms)} echoes "
                f"({self.lost} lost); flood {self.flood_received}/{self.flood_sent} in {self.flood_seconds:.2f} s "
                f"= {self.flood_rate:.0f} echoes/s")


def scenario(name: str, memory_mb: int, cmdline: str, steps: tuple[InputStep, ...]) -> Scenario:
    return Scenario(stage="benchmark-ping", name=name, kernel="kernel.elf", memory_mb=memory_mb,
                    timeout_s=2 * TOOL_TIMEOUT_S, expect_end="shutdown", cmdline=cmdline,
                    transcript=Path("/dev/null"), inputs=steps, rules=(), max_console_bytes=1 << 20, vif=True)


def measuring_steps(ip: str, count: int, flood: int) -> tuple[InputStep, ...]:
    return (InputStep(READY, dom0=("ping", "-c", str(count), "-i", "0.01", ip), timeout_s=TOOL_TIMEOUT_S),
            InputStep(READY, dom0=("ping", "-f", "-q", "-c", str(flood), ip), timeout_s=TOOL_TIMEOUT_S),
            InputStep(READY, send="quit\r"))


def summary(output: str) -> tuple[int, int, float]:
    """(transmitted, received, ms) from ping's "N packets transmitted, M received, ..., time Tms"."""
    m = re.search(r"(\d+) packets transmitted, (\d+) received.*time (\d+)ms", output)
    return (int(m.group(1)), int(m.group(2)), float(m.group(3))) if m else (0, 0, 0.0)


def figures(result: RunResult) -> Figures | None:
    if len(result.dom0) < 2:
        return None
    rtt_out, flood_out = (step.output.decode(errors="replace") for step in result.dom0[:2])
    rtts = [float(t) for t in re.findall(r"time=([0-9.]+) ms", rtt_out)]
    sent, received, _ = summary(rtt_out)
    f_sent, f_received, f_ms = summary(flood_out)
    if not rtts:
        return None
    return Figures(rtts, sent - received, f_sent, f_received, f_ms / 1000)


def why_not(result: RunResult) -> str:
    if linux_domu.READY not in result.console:
        tail = result.console.decode(errors="replace").strip().splitlines()[-3:]
        return f"never printed \"{linux_domu.READY.decode()}\" (ended: {result.end}; last lines: {tail})"
    trouble = next((s.trouble for s in result.dom0 if s.trouble), "")
    return trouble or "did not answer ping"


def answers_ten(runner: Runner, mb: int) -> tuple[bool, str]:
    steps = (InputStep(READY, dom0=("ping", "-c", "10", "-i", "0.2", network.GUEST_IP), timeout_s=60),
             InputStep(READY, send="quit\r"))
    r = runner.execute(scenario(f"memory-{mb}", mb, STAGE_CMDLINE, steps), STAGE)
    out = r.dom0[0].output.decode(errors="replace") if r.dom0 else ""
    ok = summary(out)[:2] == (10, 10)
    return ok, "answers 10/10" if ok else f"fails: {why_not(r) if not out else out.strip().splitlines()[-2]}"


def host_boots(img: image.HostImage, workdir: Path, boots: int) -> None:
    starts, nets = [], []
    probe = scenario("net", linux_domu.MEMORY_MB, linux_domu.CMDLINE, ())
    for i in range(1, boots + 1):
        with qemu.QemuXenHost(img, workdir, {}, "auto", lambda _: None) as host:
            runner = Runner(host, workdir / "results", lambda _: None)
            runner.prepare(probe)
            starts.append(host.boot_seconds)
            nets.append(runner.net_seconds)
            print(f"  boot {i}: ready in {host.boot_seconds:.2f} s, NET (modules + bridge) {runner.net_seconds:.2f} s",
                  flush=True)
    print(f"test host start-up: median {statistics.median(starts):.2f} s (min {min(starts):.2f}, max {max(starts):.2f}) "
          f"over {boots} boots; NET median {statistics.median(nets):.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--count", type=int, default=200, help="echoes for the round-trip figures (at least 200)")
    ap.add_argument("--flood", type=int, default=1000, help="echoes of the flood ping")
    ap.add_argument("--memory-sizes", default="32,24,16,12")
    ap.add_argument("--linux-only", action="store_true", help="measure the Linux domU alone")
    ap.add_argument("--host-boots", type=int, default=0, help="only boot the test host this many times")
    args = ap.parse_args()
    build_dir = args.build_dir.resolve()
    workdir = build_dir / "benchmark" / "ping"
    workdir.mkdir(parents=True, exist_ok=True)

    with RunLock(build_dir, True, print):
        img = image.build(build_dir / "testhost", lambda _: None)
        if args.host_boots:
            host_boots(img, workdir, args.host_boots)
            return 0
        elf = build.kernel_path(build_dir, STAGE, "kernel.elf")
        stage_built = elf.exists() and not args.linux_only
        if not args.linux_only and not elf.exists():
            print(f"stage 08 not built (no {elf}): measuring the Linux domU alone")
        initrd = linux_domu.netfront_initrd(build_dir / "testhost", workdir / "linux-net-initrd.cpio.gz")
        payload = {"linux": img.kernel, "linux-initrd": initrd, **({STAGE: elf} if stage_built else {})}
        with qemu.QemuXenHost(img, workdir / "host", payload, "auto", lambda _: None) as host:
            runner = Runner(host, workdir / "results", lambda _: None)
            linux_sc = scenario("linux", linux_domu.MEMORY_MB, linux_domu.CMDLINE,
                                measuring_steps(linux_domu.IP, args.count, args.flood))
            runner.prepare(linux_sc)
            print(f"test host: {host.accel_reason.split(' (')[0]}, ready in {host.boot_seconds:.1f} s; "
                  f"dom0's bridge made in {runner.net_seconds:.2f} s")
            r = runner.execute(linux_sc, "linux", ramdisk="linux-initrd",
                               vif=network.vif_spec(linux_domu.MAC, linux_domu.IP))
            (workdir / "linux-transcript.txt").write_bytes(r.transcript())
            linux = figures(r)
            print(f"Linux PV domU ({linux_domu.MEMORY_MB} MiB): " + (linux.line() if linux else why_not(r)), flush=True)
            if not stage_built:
                return 0
            r = runner.execute(scenario("stage", STAGE_MEMORY_MB, STAGE_CMDLINE,
                                        measuring_steps(network.GUEST_IP, args.count, args.flood)), STAGE)
            (workdir / "stage08-transcript.txt").write_bytes(r.transcript())
            ours = figures(r)
            if ours is None:
                print(f"stage 08 not answering: {why_not(r)} (console in {workdir / 'stage08-transcript.txt'})")
                return 0
            print(f"stage 08 ({STAGE_MEMORY_MB} MiB): {ours.line()}")
            if linux:
                print(f"ratios stage 08 / Linux: median round trip {ours.median / linux.median:.2f}, "
                      f"p99 {ours.p99 / linux.p99:.2f}, flood rate {ours.flood_rate / linux.flood_rate:.2f}")
            smallest = None
            for mb in sorted({int(x) for x in args.memory_sizes.split(",")}, reverse=True):
                ok, said = answers_ten(runner, mb)
                print(f"  {mb} MiB: {said}", flush=True)
                if not ok:
                    break
                smallest = mb
            print(f"smallest guest memory at which stage 08 answers ping 10/10: {smallest} MiB" if smallest
                  else "stage 08 did not answer 10/10 at any of the sizes tried")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckerError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        sys.exit(2)
