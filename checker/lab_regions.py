"""The lab regions of a stage's sources: the code a student writes, between two markers.

    // lab 05-futex begin: FutexTable::wake
    ...the solution...
    // lab 05-futex end

tools/make-lab.py replaces each region by its stub, a kernel::panic that names it; `checker
grade` reads the same regions in a student's later stages, where a handout has them stubbed too,
to see whether a solution was copied in.  A region of stage N appears in every later stage that
carries the same code, with the same markers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BEGIN_RE = re.compile(r"^(?P<indent>\s*)// lab (?P<stage>\d{2}-[a-z0-9-]+) begin: (?P<name>\S.*?)\s*$")
END_RE = re.compile(r"^\s*// lab (?P<stage>\d{2}-[a-z0-9-]+) end\s*$")
# Where the markers may be: the kernel's C++ (assembly has no kernel::panic to call).
SOURCE_SUFFIXES = (".cpp", ".hpp")


class LabError(Exception):
    """The markers or lab.toml are not as the tools need them; the message says where."""


@dataclass(frozen=True)
class Region:
    stage: str      # the stage whose milestone it is ("05-futex")
    name: str       # what the student writes ("FutexTable::wake")
    file: str       # the file under the stage directory ("kernel/futex_table.cpp")
    begin: int      # line numbers (1-based) of the two markers
    end: int
    indent: str


def parse(text: str, rel: str) -> list[Region]:
    """The regions in one file's text (`rel`: its path under the stage directory)."""
    found: list[Region] = []
    open_at: tuple[int, re.Match] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        begin, end = BEGIN_RE.match(line), END_RE.match(line)
        if begin:
            if open_at:
                raise LabError(f"{rel}:{number}: a region begins inside the region begun on line {open_at[0]}")
            open_at = (number, begin)
        elif end:
            if not open_at:
                raise LabError(f"{rel}:{number}: 'lab {end['stage']} end' without a begin")
            first, b = open_at
            if b["stage"] != end["stage"]:
                raise LabError(f"{rel}:{number}: the region begun on line {first} for {b['stage']} "
                               f"ends as {end['stage']}'s")
            found.append(Region(b["stage"], b["name"], rel, first, number, b["indent"]))
            open_at = None
        elif re.search(r"// lab \d\d-", line):
            raise LabError(f"{rel}:{number}: a lab marker this tool cannot read: {line.strip()!r} "
                           "(expected '// lab NN-name begin: WHAT' or '// lab NN-name end')")
    if open_at:
        raise LabError(f"{rel}:{open_at[0]}: the region {open_at[1]['name']!r} is never ended")
    return found


def find_regions(stage_dir: Path) -> list[Region]:
    """Every marked region in a stage's kernel sources, in file and line order."""
    regions: list[Region] = []
    kernel = stage_dir / "kernel"
    if not kernel.is_dir():
        return regions
    for path in sorted(kernel.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        rel = path.relative_to(stage_dir).as_posix()
        regions += parse(path.read_text(errors="replace"), rel)
    return regions


def stub_text(region: Region) -> str:
    """What the region's lines become in a lab: one panic that names it."""
    text = (f'lab: {region.name} is yours to write ({region.file}; '
            f'book chapter {region.stage}, \\"Build it yourself\\")')
    return f'{region.indent}kernel::panic("{text}");\n'


def body(text: str, region: Region) -> str:
    """The lines between the region's markers in `text` (the file it was found in)."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[region.begin:region.end - 1])


def code(text: str, region: Region) -> str:
    """The region's code in `text`, whitespace aside: what two copies are compared by."""
    return "".join(body(text, region).split())


def is_stub(text: str, region: Region) -> bool:
    """True if the region holds only its stub (whitespace aside), as a handout has it."""
    return code(text, region) == "".join(stub_text(region).split())
