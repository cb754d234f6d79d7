#!/usr/bin/env python3
"""A stage's speed and size figures beside a Linux PV domU's: boot, console, memory, image.

A benchmark, not a test: it asserts nothing and prints what it measured.  Every boot is timed
inside dom0 by the checker's agent, from `xl create` to the console bytes arriving in
xenconsoled's log, in one test host (TCG here); medians of --runs boots.

  first byte       xl create to the first console byte
  hello            xl create to the greeting, with the stage's default boot log and with
                   strace=none (no system-call log), and the log's cost as a percentage
  console rate     bytes/s of a console flood (the kernel's selftest=flood: 4096 lines, 256 KiB),
                   from the first flood line's arrival to the last's
  smallest memory  the least guest memory (MiB, from --memory-sizes) at which each of
                   --scenarios still passes its transcript
  image            kernel.elf on disk, loaded (sum of PT_LOAD sizes, what Xen maps), and what
                   the loaded image holds: kernel text, Go text, data, bss

The Linux PV domU is Debian's kernel (the dom0 kernel) with a busybox initramfs whose /init
prints the greeting (or floods the console the same way) and powers off.

Usage: tools/benchmark-hello.py [--stage 06-hello] [--runs 5] [--build-dir build]
                                [--memory-sizes 32,24,16,12,10,8] [--scenarios boot,stress]
The stage must be built (cmake --build build, or python3 -m checker run STAGE).
"""
from __future__ import annotations

import argparse
import dataclasses
import gzip
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from benchmark import loaded_size  # noqa: E402  (tools/benchmark.py)
from checker import build  # noqa: E402
from checker.errors import CheckerError  # noqa: E402
from checker.normalize import normalize  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.verdict import end_name  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402

FLOOD_LINE = "flood line 00000: the quick brown fox jumps over the lazy dog."
LINUX_MEMORY_MB = 128

LINUX_HELLO = b"""#!/bin/busybox sh
/bin/busybox echo "Hello World!"
/bin/busybox poweroff -f
"""
# The same bytes as selftest=flood prints (a CR is added by the tty, as our console adds one).
LINUX_FLOOD = f"""#!/bin/busybox sh
/bin/busybox yes "{FLOOD_LINE}" | /bin/busybox head -n 4096
/bin/busybox echo "flood done"
/bin/busybox poweroff -f
""".encode()


def busybox_initrd(path: Path, init: bytes) -> Path:
    path.write_bytes(gzip.compress(qemu.cpio_newc([
        ("bin", None),
        ("dev", None),
        ("dev/console", b"", 0o020600, (5, 1)),  # the kernel opens it for init's stdout
        ("bin/busybox", Path("/bin/busybox").read_bytes(), 0o100755),
        ("init", init, 0o100755),
    ]), 6))
    return path


def image_parts(elf: Path, archive: Path) -> dict[str, int]:
    """Loaded bytes by kind: text (split into kernel and Go by the archive's text), data, bss."""
    out = subprocess.run(["size", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    sections = {}
    for line in out.splitlines()[2:]:
        fields = line.split()
        if len(fields) == 3 and fields[1].isdigit():
            sections[fields[0]] = int(fields[1])
    text = sum(v for k, v in sections.items() if k in (".text", ".rodata", ".boot.guard", ".note.Xen",
                                                          ".note.go.buildid"))
    bss = sections.get(".bss", 0) + sections.get(".noptrbss", 0) + sections.get(".tbss", 0)
    data = sum(v for k, v in sections.items() if k in (".data", ".data.rel.ro", ".noptrdata", ".go.buildinfo",
                                                          ".init_array", ".ksyms", ".tdata"))
    go = subprocess.run(["size", "-t", str(archive)], capture_output=True, text=True, check=True).stdout
    go_text = int(go.strip().splitlines()[-1].split()[0])  # text column of the TOTALS line
    return {"kernel text": text - go_text, "Go text": go_text, "data": data, "bss": bss}


def flood_rate(console: bytes, arrivals: list[tuple[float, int]]) -> float | None:
    """Bytes/s from the arrival of the first flood line to the arrival of the last one."""
    start = console.find(FLOOD_LINE.encode())
    last = console.rfind(b"flood line ")
    if start < 0 or last <= start:
        return None
    end = console.find(b"\n", last) + 1 or len(console)
    t0 = next((t for t, length in arrivals if length > start), None)
    t1 = next((t for t, length in arrivals if length >= end), None)
    if t0 is None or t1 is None or t1 <= t0:
        return None
    return (end - start) / (t1 - t0)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def show(value: float | None, unit: str, digits: int = 2) -> str:
    return "never" if value is None else f"{value:.{digits}f} {unit}"


def ratio(ours: float | None, linux: float | None) -> str:
    return f"ratio {ours / linux:.2f}" if ours is not None and linux else "no ratio"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stage", default="06-hello")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--memory-sizes", default="32,24,16,12,10,8")
    ap.add_argument("--scenarios", default="boot,stress", help="scenarios whose smallest memory is searched")
    ap.add_argument("--greeting", default="Hello World!", help="the console text the boot is timed to")
    args = ap.parse_args()
    greeting = args.greeting.encode()

    (stage, scenarios), = select(discover(ROOT / "stages"), [args.stage])
    by_name = {s.name: s for s in scenarios}
    boot = by_name["boot"]
    elf = build.kernel_path(args.build_dir, stage.name, boot.kernel)
    if not elf.exists():
        print(f"benchmark: {elf} is not built; run: cmake --build {args.build_dir}", file=sys.stderr)
        return 1

    img = image.build(args.build_dir / "testhost", lambda _: None)
    print(f"{stage.name} image: kernel.elf {elf.stat().st_size / 1e6:.2f} MB on disk, "
          f"{loaded_size(elf) / 1e6:.2f} MB loaded; Linux PV: bzImage {img.kernel.stat().st_size / 1e6:.2f} MB "
          f"on disk (ratio {elf.stat().st_size / img.kernel.stat().st_size:.2f})")
    print("what each built stage's image holds (MB; loaded = sum of PT_LOAD):")
    for other in sorted(discover(ROOT / "stages"), key=lambda st: st.name):
        path = build.kernel_path(args.build_dir, other.name, "kernel.elf")
        archive = path.with_name("libgoapp.a")
        if not path.exists() or not archive.exists():
            continue
        parts = image_parts(path, archive)
        print(f"  {other.name:16} on disk {path.stat().st_size / 1e6:.2f}, loaded {loaded_size(path) / 1e6:.2f}: "
              + ", ".join(f"{k} {v / 1e6:.2f}" for k, v in parts.items()))

    workdir = args.build_dir / "benchmark" / "hello"
    workdir.mkdir(parents=True, exist_ok=True)
    payload = {stage.name: elf, "linux": img.kernel,
               "linux-hello": busybox_initrd(workdir / "linux-hello.cpio.gz", LINUX_HELLO),
               "linux-flood": busybox_initrd(workdir / "linux-flood.cpio.gz", LINUX_FLOOD)}
    with qemu.QemuXenHost(img, workdir, payload, "auto", lambda _: None) as host:
        print(f"test host: {host.accel_reason.split(' (')[0]}, ready in {host.boot_seconds:.1f} s")
        runner = Runner(host, workdir / "results", lambda _: None)
        linux = dataclasses.replace(boot, memory_mb=LINUX_MEMORY_MB, cmdline="console=hvc0 quiet", timeout_s=300,
                                    max_console_bytes=1 << 20)
        quiet = dataclasses.replace(boot, cmdline=(boot.cmdline + " strace=none").strip())
        flood = dataclasses.replace(boot, cmdline="selftest=flood", max_console_bytes=1 << 20, timeout_s=300)
        # Per boot: (xl create to the first byte, to the greeting); per flood: bytes/s.
        times: dict[str, list[tuple[float | None, float | None]]] = {"log": [], "quiet": [], "linux": []}
        rates: dict[str, list[float]] = {"ours": [], "linux": []}

        def timed(key: str, scenario, kernel: str, ramdisk: str | None = None):
            r = runner.execute(scenario, kernel, ramdisk=ramdisk)
            first = r.arrivals[0][0] if r.arrivals else None
            hello = r.seconds_until(greeting)
            times[key].append((first, hello))
            return r, first, hello

        def flooded(key: str, scenario, kernel: str, ramdisk: str | None = None) -> tuple[float | None, str]:
            r = runner.execute(scenario, kernel, ramdisk=ramdisk)
            rate = flood_rate(r.console, r.arrivals)
            if rate is not None:
                rates[key].append(rate)
            return rate, r.end

        for run in range(1, args.runs + 1):
            print(f"  run {run}:", flush=True)
            r, first, hello = timed("log", boot, stage.name)
            print(f"    {stage.name}: first byte {show(first, 's')}, greeting {show(hello, 's')} ({r.end})", flush=True)
            r, _, hello = timed("quiet", quiet, stage.name)
            print(f"    {stage.name} strace=none: greeting {show(hello, 's')} ({r.end})", flush=True)
            rate, end = flooded("ours", flood, stage.name)
            print(f"    {stage.name} selftest=flood: {show(rate and rate / 1e3, 'KB/s', 1)} ({end})", flush=True)
            r, first, hello = timed("linux", linux, "linux", ramdisk="linux-hello")
            if hello is None:
                (workdir / "linux-console.txt").write_bytes(r.console)
            print(f"    Linux PV: first byte {show(first, 's')}, greeting {show(hello, 's')} ({r.end})", flush=True)
            rate, end = flooded("linux", linux, "linux", ramdisk="linux-flood")
            print(f"    Linux PV flood: {show(rate and rate / 1e3, 'KB/s', 1)} ({end})", flush=True)

        def med(key: str, which: int) -> float | None:
            return median([t[which] for t in times[key] if t[which] is not None])

        def span(key: str) -> float | None:
            # The guest's own part: xl create to the first byte varies by tens of milliseconds
            # from boot to boot whatever the guest prints, and that spread is in both figures.
            return median([h - f for f, h in times[key] if f is not None and h is not None])

        m = {"first": med("log", 0), "hello": med("log", 1), "hello-quiet": med("quiet", 1),
             "linux-first": med("linux", 0), "linux-hello": med("linux", 1),
             "rate": median(rates["ours"]), "linux-rate": median(rates["linux"])}
        print(f"\nmedians of {args.runs} runs ({stage.name} in {boot.memory_mb} MiB, Linux PV in {LINUX_MEMORY_MB} MiB):")
        print(f"  xl create to first byte:   {stage.name} {show(m['first'], 's')}, Linux {show(m['linux-first'], 's')}"
              f" ({ratio(m['first'], m['linux-first'])})")
        print(f"  xl create to the greeting: {stage.name} {show(m['hello'], 's')} with the boot log, "
              f"{show(m['hello-quiet'], 's')} with strace=none; Linux {show(m['linux-hello'], 's')} "
              f"({ratio(m['hello'], m['linux-hello'])}; strace=none {ratio(m['hello-quiet'], m['linux-hello'])})")
        if m["hello"] and m["hello-quiet"]:
            print(f"  the boot log adds {100 * (m['hello'] / m['hello-quiet'] - 1):.0f}% to the greeting (goal: at most 10%)")
        spans = {key: span(key) for key in ("log", "quiet")}
        print(f"  first byte to the greeting: {show(spans['log'] and spans['log'] * 1e3, 'ms', 0)} with the boot log, "
              f"{show(spans['quiet'] and spans['quiet'] * 1e3, 'ms', 0)} with strace=none")
        print(f"  console flood:             {stage.name} {show(m['rate'] and m['rate'] / 1e3, 'KB/s', 1)}, "
              f"Linux {show(m['linux-rate'] and m['linux-rate'] / 1e3, 'KB/s', 1)} ({ratio(m['rate'], m['linux-rate'])})")

        sizes = sorted({int(x) for x in args.memory_sizes.split(",")}, reverse=True)
        for name in [n for n in args.scenarios.split(",") if n]:
            scenario = by_name.get(name)
            if scenario is None:
                print(f"  smallest memory: {stage.name} has no scenario {name!r}")
                continue
            smallest = None
            expected = normalize(scenario.transcript.read_bytes(), scenario.rules) if scenario.transcript.exists() else None
            for mb in sizes:
                r = runner.execute(dataclasses.replace(scenario, memory_mb=mb, timeout_s=max(scenario.timeout_s, 120)),
                                   stage.name)
                (workdir / f"memory-{name}-{mb}.txt").write_bytes(r.console)
                got = normalize(r.transcript(), scenario.rules)
                ok = (expected is not None and end_name(r.end) == scenario.expect_end
                      and _matches_but_memory(got, expected))
                print(f"    {name} in {mb} MiB: {'passes' if ok else f'fails ({r.end})'}", flush=True)
                if not ok:
                    break
                smallest = mb
            print(f"  smallest memory for {stage.name}/{name}: {f'{smallest} MiB' if smallest else 'none of those tried'}"
                  f" (Linux PV hello: not searched; it boots in {LINUX_MEMORY_MB} MiB here)")
    return 0


def _matches_but_memory(got: str, expected: str) -> bool:
    """The transcript, except the lines that state the guest's size (memory and frame counts)."""
    def strip(text: str) -> list[str]:
        return [line for line in text.splitlines()
                if not line.startswith(("memory:", "  nr_pages", "  pt_base", "  mfn_list", "  start_info"))]
    return strip(got) == strip(expected)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckerError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        sys.exit(2)
