"""Every stage with a lab has its "Build it yourself" section, and the section shows the lab.toml."""
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "book" / "_ext"))
STAGES = sorted(d.name for d in (REPO / "stages").iterdir() if (d / "lab.toml").is_file())


def test_every_stage_has_a_lab():
    every = sorted(d.name for d in (REPO / "stages").iterdir() if d.is_dir() and d.name[:2].isdigit())
    assert STAGES == every


@pytest.mark.parametrize("stage", STAGES)
def test_the_chapter_has_a_build_it_yourself_section_with_its_lab(stage):
    text = (REPO / "book" / "stages" / f"{stage}.md").read_text()
    assert "\n## Build it yourself\n" in text
    section = text.split("\n## Build it yourself\n", 1)[1].split("\n## ", 1)[0]
    assert "```{lab}\n```" in section, "the lists come from lab.toml through the {lab} directive"
    assert f"tools/make-lab.py {stage[:2]} --in-place" in section
    assert f"python3 -m checker run {stage}" in section


def test_text_with_code_turns_backquotes_into_literals():
    from docutils import nodes
    from labs import _text_with_code
    parts = _text_with_code("call `wake(thread)` and return")
    assert [type(p) for p in parts] == [nodes.Text, nodes.literal, nodes.Text]
    assert parts[1].astext() == "wake(thread)"
