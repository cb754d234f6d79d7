"""A copied solution in a lab submission: code in a later stage's copy of a lab region.

A handout (tools/make-lab.py NN --out) takes a lab stage's regions out of that stage and out of
every later stage that carries the same code, so the handout holds no solution.  A student's
later stage whose copy of such a region holds code again got it from somewhere: their own work
copied forward (a course that goes through the stages), or a solution.  `checker grade` cannot
tell which; it says where, and whether the code is the student's own stage's or the kit's, for
the grader to look at.  The lab stages are those with a LAB.md (make-lab.py writes one).
"""
from __future__ import annotations

from pathlib import Path

from .lab_regions import LabError, Region, code, find_regions, is_stub, parse
from .spec import STAGE_DIR_RE


def _code(stage_dir: Path, region: Region) -> str | None:
    """The region's code in stage_dir's copy of its file, whitespace aside; None if that copy
    has no such region."""
    path = stage_dir / region.file
    if not path.is_file():
        return None
    text = path.read_text(errors="replace")
    try:
        same = [r for r in parse(text, region.file) if (r.stage, r.name) == (region.stage, region.name)]
    except LabError:
        return None
    return code(text, same[0]) if same else None


def warnings(stages_root: Path, kit_stages: Path) -> list[str]:
    """One line per lab region that holds code in a later stage of the submission."""
    stage_dirs = sorted(d for d in stages_root.iterdir() if d.is_dir() and STAGE_DIR_RE.match(d.name))
    labs = {d.name for d in stage_dirs if (d / "LAB.md").is_file()}
    found: list[str] = []
    for stage_dir in stage_dirs:
        try:
            regions = find_regions(stage_dir)
        except LabError as exc:
            found.append(f"{stage_dir.name}: the lab markers cannot be read ({exc}); its regions were not checked")
            continue
        for region in regions:
            if region.stage not in labs or region.stage >= stage_dir.name:
                continue
            text = (stage_dir / region.file).read_text(errors="replace")
            if is_stub(text, region):
                continue
            mine = code(text, region)
            own = _code(stages_root / region.stage, region)
            kit = _code(kit_stages / region.stage, region)
            found.append(f"{stage_dir.name}/{region.file}:{region.begin}: the lab region {region.name} of "
                         f"{region.stage} holds code where the handout had its stub; the same as the student's "
                         f"own {region.stage}: {'yes' if own == mine else 'no'}, the same as the kit's "
                         f"solution: {'yes' if kit == mine else 'no'}")
    return found
