#!/usr/bin/env python3
"""Counts the system calls in a stage's console log, by name and route.

Reads the console the checker kept (build/checker/<stage>/<scenario>/console.txt, or any file
given with --file) and counts the kernel's system-call log lines:

  [syscall] name(...) = ...                     Go's own route (unigornel_syscall)
  [libc mmap] name(...) = ...                   made by the C library on the runtime's behalf
  [...]   ... and N more name calls like it     a batch: N more of the same
  [syscall] write(2, "...") in K calls, ...     K writes that made one line of text

Usage: tools/syscall-census.py STAGE [--scenario boot] [--build-dir build] [--file FILE]
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

CALL = re.compile(r"^\[(syscall|libc [a-z_]+)\] ([a-z_0-9]+)\(")
MORE = re.compile(r"^\[(syscall|libc [a-z_]+)\]   \.\.\. and (\d+) more ([a-z_0-9]+) calls")
TEXT = re.compile(r"^\[syscall\] write\(\d+, .*\) in (\d+) calls?,")


def census(lines: list[str]) -> collections.Counter[tuple[str, str]]:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for line in lines:
        if m := TEXT.match(line):
            counts[("syscall", "write")] += int(m.group(1))
        elif m := MORE.match(line):
            counts[(m.group(1), m.group(3))] += int(m.group(2))
        elif m := CALL.match(line):
            counts[(m.group(1), m.group(2))] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stage", nargs="?")
    ap.add_argument("--scenario", default="boot")
    ap.add_argument("--build-dir", type=Path, default=Path(__file__).resolve().parent.parent / "build")
    ap.add_argument("--file", type=Path)
    args = ap.parse_args(argv)
    path = args.file or args.build_dir / "checker" / (args.stage or "") / args.scenario / "console.txt"
    if not path.is_file():
        print(f"syscall-census: no console log at {path}; run `python3 -m checker run {args.stage or 'STAGE'}` first",
              file=sys.stderr)
        return 2
    counts = census(path.read_text(errors="replace").splitlines())
    total = sum(counts.values())
    print(f"{path}: {total} system calls")
    for (route, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:6d}  {name:20s} via {'Go (unigornel_syscall)' if route == 'syscall' else route}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
