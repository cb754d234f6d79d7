#!/usr/bin/env python3
"""Shows how the copies of shared files differ across stages.

Stages are self-contained on purpose, so code shared by several stages exists once per stage.
A fix to such code belongs in every stage that carries it.  For every file that more than one
stage has (the Go patch series in go-patches/ too; only a stage's stage.toml, lab.toml, expected-*.txt
and top-level README.md are its own), this prints which stages hold identical copies:

    kernel/format.cpp     01 02 03 04 05 06       same everywhere
    kernel/console.cpp    01 02 | 03 04 05 06     changed in 03
    kernel/panic.cpp      01 02 | 03 | 04 05      changed in 03, 04
    kernel/traps.cpp      01 | 02 | 03            DRIFT: 01 and 03 agree but the stages between them differ

A change that appears in a stage and stays in every later one is a milestone (or a fix that was
carried forward).  A copy that goes back to an earlier version ("DRIFT") is almost always a
fix that reached some stages and not others.

Usage: tools/stage-drift.py [--all] [--diff PATH] [--check]
  --all        also list files whose copies are all identical
  --diff PATH  print the diffs between consecutive differing copies of PATH
  --check      exit 1 if any file drifts (for CI or a pre-commit hook)
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE_RE = re.compile(r"^(\d{2})-[a-z0-9-]+$")
# Per-stage content by design: what each stage expects and says about itself.  Everything else
# is compared, go-patches/ included: a fix to a Go patch belongs in every later stage too, and a
# stage whose series quietly lags behind builds a different Go than the one before it.
OWN_FILES = re.compile(r"^(expected-.*\.txt|stage\.toml|lab\.toml|README\.md)$")


def stages(root: Path) -> list[Path]:
    return sorted(p for p in (root / "stages").iterdir() if p.is_dir() and STAGE_RE.match(p.name))


def copies(stage_dirs: list[Path]) -> dict[str, list[tuple[str, str]]]:
    """relative path -> [(stage number, content digest)] in stage order."""
    table: dict[str, list[tuple[str, str]]] = {}
    for sd in stage_dirs:
        for f in sorted(sd.rglob("*")):
            rel = f.relative_to(sd).as_posix()
            if not f.is_file() or OWN_FILES.match(rel) or "__pycache__" in rel:
                continue
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            table.setdefault(rel, []).append((sd.name[:2], digest))
    return {k: v for k, v in table.items() if len(v) > 1}


def runs_of(entries: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """Consecutive runs of stages with the same content: [(digest, [stage numbers])]."""
    runs: list[tuple[str, list[str]]] = []
    for num, digest in entries:
        if runs and runs[-1][0] == digest:
            runs[-1][1].append(num)
        else:
            runs.append((digest, [num]))
    return runs


def verdict(entries: list[tuple[str, str]]) -> tuple[str, bool]:
    runs = runs_of(entries)
    if len(runs) == 1:
        return "same everywhere", False
    seen: dict[str, str] = {}
    for digest, nums in runs:
        if digest in seen:
            return f"DRIFT: {seen[digest]} and {nums[0]} agree but the stages between them differ", True
        seen[digest] = nums[0]
    return "changed in " + ", ".join(nums[0] for _, nums in runs[1:]), False


def print_diffs(stage_dirs: list[Path], rel: str, entries: list[tuple[str, str]]) -> None:
    """Unified diffs between each copy of `rel` and the next stage's copy that differs."""
    by_num = {sd.name[:2]: sd for sd in stage_dirs}
    prev = None
    for num, _ in entries:
        if prev is not None:
            a = (by_num[prev] / rel).read_text().splitlines(keepends=True)
            b = (by_num[num] / rel).read_text().splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(a, b, f"{by_num[prev].name}/{rel}",
                                                       f"{by_num[num].name}/{rel}"))
        prev = num


def report(table: dict[str, list[tuple[str, str]]], show_all: bool) -> bool:
    """Prints one line per shared file worth showing; returns whether any file drifts."""
    drift = False
    width = max((len(k) for k in table), default=10) + 2
    for rel in sorted(table):
        text, is_drift = verdict(table[rel])
        drift |= is_drift
        if is_drift or show_all or text != "same everywhere":
            layout = " | ".join(" ".join(nums) for _, nums in runs_of(table[rel]))
            print(f"{rel:{width}} {layout:24} {text}")
    return drift


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """The command line; `root` is the repository (the tests point it at a fake tree)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--diff", metavar="PATH")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    stage_dirs = stages(root)
    table = copies(stage_dirs)
    if args.diff:
        entries = table.get(args.diff)
        if not entries:
            print(f"{args.diff}: not carried by two or more stages", file=sys.stderr)
            return 2
        print_diffs(stage_dirs, args.diff, entries)
        return 0
    drift = report(table, args.all)
    if not table:
        print(f"no file is shared by two stages yet ({len(stage_dirs)} stage(s))")
    return 1 if (args.check and drift) else 0


if __name__ == "__main__":
    sys.exit(main())
