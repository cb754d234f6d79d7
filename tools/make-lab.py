#!/usr/bin/env python3
"""Makes a lab: a copy of the kit in which a stage's milestone code is taken out.

Every stage is a working solution.  The code a student writes to reach the stage's milestone
is marked in its kernel sources, as a region of whole lines:

    size_t FutexTable::wake(uint64_t address, size_t count, WakeFn wake) {
        // lab 05-futex begin: FutexTable::wake
        ...the solution...
        // lab 05-futex end
    }

The stage's lab.toml lists the same regions, with a hint each and the checker results the lab
must give (see book/stages/*.md, "Build it yourself").  In the lab the lines between the
markers become one call,

        kernel::panic("lab: FutexTable::wake is yours to write (kernel/futex_table.cpp; ...)");

so the lab compiles and links, boots, and stops with a panic naming the first missing piece,
which the checker shows.  Regions for stage N also appear in later stages that carry the same
code (the copies stay identical); a lab of stage N takes out only the regions tagged N.

Usage: tools/make-lab.py STAGE [STAGE...] (--out DIR | --in-place)   (STAGE: 05 or 05-futex; or --all)

--out DIR: DIR becomes a copy of the kit (the files git tracks, as they are in the working tree),
with the named stages' regions replaced and a LAB.md in each of them: a lab to hand out, or to
grade (python3 -m checker grade DIR takes such a copy).  --in-place: the regions are taken out
of this kit's own stages, for a student who has built the kit already:

    tools/make-lab.py 05 --in-place && python3 -m checker run 05-futex
    git checkout -- stages/05-futex && rm stages/05-futex/LAB.md      # the solution again
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The markers are read where `checker grade` reads them too (a copied solution in a later stage).
from checker.lab_regions import LabError, Region, find_regions, parse, stub_text  # noqa: E402
from checker.spec import STAGE_DIR_RE, scenario_id  # noqa: E402


def load_lab(stage_dir: Path) -> dict:
    path = stage_dir / "lab.toml"
    if not path.is_file():
        raise LabError(f"{stage_dir.name} has no lab.toml")
    with open(path, "rb") as handle:
        lab = tomllib.load(handle)
    for key in ("goal", "region", "expect"):
        if key not in lab:
            raise LabError(f"{path}: no '{key}'")
    for entry in lab["region"]:
        if not {"name", "file", "hint"} <= entry.keys():
            raise LabError(f"{path}: a [[region]] needs name, file and hint: {entry}")
    for entry in lab["expect"]:
        if not {"verdict", "scenarios"} <= entry.keys() or (entry["verdict"] != "PASS") != ("says" in entry):
            raise LabError(f"{path}: an [[expect]] needs verdict and scenarios, and says exactly when the "
                           f"verdict is not PASS: {entry}")
    return lab


def own_regions(stage_dir: Path, lab: dict) -> list[Region]:
    """The stage's own regions, checked against its lab.toml (`lab`, from load_lab): the same
    names, the same files."""
    stage = stage_dir.name
    marked = [r for r in find_regions(stage_dir) if r.stage == stage]
    listed = [(entry["name"], entry["file"]) for entry in lab["region"]]
    have = [(r.name, r.file) for r in marked]
    if sorted(have) != sorted(listed):
        missing = sorted(set(listed) - set(have))
        extra = sorted(set(have) - set(listed))
        raise LabError(f"{stage}: lab.toml and the markers in the sources disagree"
                       + (f"; listed but not marked: {missing}" if missing else "")
                       + (f"; marked but not listed: {extra}" if extra else ""))
    return marked


def panic_include(rel: str) -> str:
    """The #include line for panic.hpp from a file at `rel` (kernel/... under the stage)."""
    depth = len(Path(rel).parts) - 2  # kernel/x.cpp -> 0, kernel/sub/x.cpp -> 1
    return '#include "' + "../" * depth + 'panic.hpp"\n'


def stub_file(text: str, regions: list[Region]) -> str:
    """`text` with each of `regions` (all of this file) replaced by its stub."""
    lines = text.splitlines(keepends=True)
    for region in sorted(regions, key=lambda r: r.begin, reverse=True):
        lines[region.begin:region.end - 1] = [stub_text(region)]  # the markers stay: where to write
    include = panic_include(regions[0].file)
    if include not in lines:
        last = max((i for i, line in enumerate(lines) if line.startswith("#include")), default=-1)
        lines.insert(last + 1, include)
    return "".join(lines)


def lab_text(stage_dir: Path, lab: dict, regions: list[Region]) -> str:
    """The LAB.md a student finds in the lab's stage directory."""
    stage = stage_dir.name
    out = [f"# Lab {stage}", "", lab["goal"].strip(), "",
           "## What to write", "",
           "Each of these panics with `lab: ... is yours to write` until you write it; write it between "
           "its two `// lab` marker lines.", ""]
    for i, entry in enumerate(lab["region"], start=1):
        out.append(f"{i}. `{entry['name']}` in `{entry['file']}`")
        out.append(f"   {entry['hint'].strip()}")
    out += ["", "## Set up once", "",
            "`tools/setup.sh --build-only`: installs the Debian packages, builds the kit and the Xen test host, "
            "and runs nothing (the kit's full run would boot stages you have not written yet).", "",
            "## Check as you go", "",
            f"`ctest --test-dir build -R '^{stage}\\.'` builds and runs the host tests of this stage's "
            "kernel code (a missing function stops its tests with its panic); "
            f"`python3 -m checker run {stage}` boots every scenario on Xen.", "",
            "## What the checker says now", "",
            f"`python3 -m checker run {stage}`, before you write anything:", ""]
    for expect in lab["expect"]:
        says = f", the kernel says `{expect['says']}`" if expect.get("says") else ""
        names = ", ".join(f"`{scenario_id(stage, name)}`" for name in expect["scenarios"])
        out.append(f"- {expect['verdict']}{says}: {names}")
    out += ["", "Every scenario passes when the lab is done: the kit you made it from is the solution.",
            f"The chapter book/stages/{stage}.md explains the milestone; its section \"Build it "
            "yourself\" is this lab.", ""]
    return "\n".join(out)


def stage_dirs(root: Path) -> list[Path]:
    """The kit's NN-name stage directories, in order."""
    return sorted(d for d in (root / "stages").iterdir() if d.is_dir() and STAGE_DIR_RE.match(d.name))


def resolve(names: list[str], every_stage: list[Path]) -> list[Path]:
    chosen: list[Path] = []
    for name in names:
        match = [d for d in every_stage if d.name == name or d.name[:2] == name]
        if not match:
            known = ", ".join(d.name for d in every_stage)
            raise LabError(f"no stage {name!r} (known: {known})")
        chosen.append(match[0])
    return chosen


def tracked_files(root: Path) -> list[str]:
    """The kit's files as git knows them (so build trees and caches stay behind)."""
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True)
    if proc.returncode != 0:
        raise LabError(f"{root} is not a git checkout: cannot tell the kit's files from build output")
    return [name for name in proc.stdout.decode().split("\0") if name]


def stub_stage(stage_dir: Path, source_dir: Path, lab_stages: set[str]) -> list[Region]:
    """Stubs, in stage_dir, every region of `lab_stages` that source_dir (the kit's copy of the
    same stage, where the markers are read) holds.  The regions stubbed."""
    regions = [r for r in find_regions(source_dir) if r.stage in lab_stages]
    by_file: dict[str, list[Region]] = {}
    for region in regions:
        by_file.setdefault(region.file, []).append(region)
    for rel, in_file in by_file.items():
        path = stage_dir / rel
        path.write_text(stub_file(path.read_text(), in_file))
    return regions


def make(root: Path, stages: list[Path], out: Path | None, log=print) -> list[str]:
    """The lab in `out` (a new copy of the kit), or in `root` itself when `out` is None.

    A handout (`out`) must not hold its own solution: a lab stage's regions are taken out of it
    and of every later stage that carries the same code.  In place, later stages keep theirs (the
    kit's git history has the solution anyway).  Returns the later stages that still hold a lab
    stage's code (in place) -- for the caller to say so."""
    if out is not None and out.exists() and any(out.iterdir()):
        raise LabError(f"{out} exists and is not empty: name a new directory")
    labs = [(d, load_lab(d)) for d in stages]
    plans = [(d, lab, own_regions(d, lab)) for d, lab in labs]  # every check before any copying
    lab_names = {d.name for d in stages}
    first_lab = min(lab_names)
    every_stage = stage_dirs(root)
    in_place = out is None
    if in_place:
        out = root
    else:
        for name in tracked_files(root):
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (root / name).is_file():
                shutil.copy2(root / name, target)
    carried: dict[str, list[str]] = {}  # lab stage -> later stages whose copies were stubbed
    still_solved: list[str] = []
    for stage_dir in every_stage:
        if stage_dir.name < first_lab:
            continue
        if in_place and stage_dir.name not in lab_names:
            if any(r.stage in lab_names for r in find_regions(stage_dir)):
                still_solved.append(stage_dir.name)
            continue
        for region in stub_stage(out / "stages" / stage_dir.name, stage_dir, lab_names):
            if region.stage != stage_dir.name and stage_dir.name not in carried.setdefault(region.stage, []):
                carried[region.stage].append(stage_dir.name)
    for stage_dir, lab, regions in plans:
        lab_dir = out / "stages" / stage_dir.name
        (lab_dir / "LAB.md").write_text(lab_text(stage_dir, lab, regions))
        files = len({r.file for r in regions})
        also = carried.get(stage_dir.name, [])
        log(f"lab {stage_dir.name}: {len(regions)} region(s) taken out of {files} file(s)"
            + (f", and out of the same code in {', '.join(also)}" if also else "")
            + f"; the tasks are in {lab_dir / 'LAB.md'}")
    return still_solved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make a lab: the kit with stages' milestone code taken out.")
    parser.add_argument("stages", nargs="*", help="stages to make labs of (05 or 05-futex)")
    parser.add_argument("--all", action="store_true", help="every stage that has a lab.toml")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="a new directory for the lab: a copy of the kit")
    where.add_argument("--in-place", action="store_true",
                       help="take the code out of this kit's own stages (undo: git checkout -- stages/NN-name)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    every_stage = stage_dirs(args.root)
    try:
        if args.all:
            chosen = [d for d in every_stage if (d / "lab.toml").is_file()]
        elif args.stages:
            chosen = resolve(args.stages, every_stage)
        else:
            parser.error("name the stages to make labs of, or --all")
        still_solved = make(args.root, chosen, None if args.in_place else args.out)
    except LabError as exc:
        print(f"make-lab: {exc}", file=sys.stderr)
        return 1
    names = " ".join(d.name for d in chosen)
    if args.in_place:
        print(f"the lab is in this kit's stages now; run: python3 -m checker run {names}\n"
              f"the solution comes back with: git checkout -- " + " ".join(f"stages/{d.name}" for d in chosen)
              + " (and rm the LAB.md files)")
        if still_solved:
            print(f"note: {', '.join(still_solved)} still hold this lab's code (later stages carry the same "
                  "code, and git has it too): an in-place lab is for practice; a lab to hand out comes "
                  "from --out, which takes it out of every stage")
    else:
        print(f"the lab is in {args.out}; cd there and run tools/setup.sh --build-only once (it installs "
              f"the packages and builds the kit and the test host, and runs nothing), then: "
              f"python3 -m checker run {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
