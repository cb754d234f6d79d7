"""Sphinx extension: a chapter's lab, read from its stage's lab.toml when the book is built.

The directive ``{lab}`` (once per chapter, in its section "Build it yourself") writes two lists
from ``stages/<the chapter's name>/lab.toml`` (tools/make-lab.py reads the same file):

* what to write: each ``[[region]]``, its file and its hint, in the order a student does them;
* what the checker reports for the lab before any of it is written: each ``[[expect]]`` group,
  its verdict, the panic the kernel prints and the scenarios; tests/integration/test_labs_on_xen.py
  checks these against real runs, so the chapter cannot promise a failure that does not happen.

A chapter whose stage has no lab.toml, or a lab.toml without what the lists need, is a warning,
so ``sphinx -W`` fails the build.
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO_ROOT))
from checker.spec import scenario_id  # noqa: E402  (scenarios named as the checker names them)


def _text_with_code(text: str) -> list[nodes.Node]:
    """Plain text in which `backquoted` parts become inline code."""
    out: list[nodes.Node] = []
    for i, part in enumerate(text.split("`")):
        if part:
            out.append(nodes.literal(part, part) if i % 2 else nodes.Text(part))
    return out


class LabDirective(SphinxDirective):
    has_content = False
    optional_arguments = 1  # the stage, when the page is not stages/<stage>.md

    def run(self) -> list[nodes.Node]:
        stage = self.arguments[0] if self.arguments else Path(self.env.docname).name
        path = REPO_ROOT / "stages" / stage / "lab.toml"
        self.env.note_dependency(str(path))
        try:
            lab = tomllib.loads(path.read_text())
            regions, groups = lab["region"], lab["expect"]
            rows = [(r["name"], r["file"], r["hint"]) for r in regions]
            verdicts = [(g["verdict"], g.get("says", ""), g["scenarios"]) for g in groups]
        except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            logger.warning(f"lab: cannot read {path}: {exc!r}", location=self.get_location())
            return []

        todo = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
        for name, file, hint in rows:
            para = nodes.paragraph()
            para += nodes.literal(name, name)
            para += nodes.Text(" in ")
            para += nodes.literal(file, file)
            para += nodes.Text(": ")
            para += _text_with_code(hint)
            todo += nodes.list_item("", para)

        said = nodes.bullet_list()
        for verdict, says, scenarios in verdicts:
            para = nodes.paragraph()
            para += nodes.strong(verdict, verdict)
            if says:
                para += nodes.Text(", the kernel panics with ")
                para += nodes.literal(says, says)
            para += nodes.Text(": ")
            for i, scenario in enumerate(scenarios):
                if i:
                    para += nodes.Text(", ")
                shown = scenario_id(stage, scenario)  # as the checker prints it
                para += nodes.literal(shown, shown)
            said += nodes.list_item("", para)

        intro = nodes.paragraph(text=f"What to write, in this order (tools/make-lab.py {stage[:2]} takes each of "
                                     "these out of the stage):")
        before = nodes.paragraph(text="What the checker reports for the lab before any of it is written "
                                      "(measured, and checked by the test suite):")
        return [intro, todo, before, said]


def setup(app):
    app.add_directive("lab", LabDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
