"""Sphinx extension: the role ``src`` links a file of the repository from the book.

    {src}`kernel/futex_table.cpp`                      in a stage's chapter: that stage's file
    {src}`stages/05-futex/kernel/futex_table.cpp`      a path from the repository root
    {src}`futex_table.hpp <kernel/futex_table.hpp>`    other text than the path

In a chapter ``stages/NN-name.md`` a path is first looked up in ``stages/NN-name/``, then in the
repository root; elsewhere only in the root.  A path that names no file (or directory) of the
repository is a warning, so ``sphinx -W`` fails when a file the book mentions is renamed or
removed.

The link is relative: from the built HTML page to the file in the source tree, computed when the
page is written (so it works wherever the output directory is, as long as the source tree stays
where it was).  Set ``src_base_url`` in conf.py (for example a repository browser's URL of the
tree, ending in ``/``) to link there instead.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
_TITLED = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.S)


def resolve(path: str, docname: str, root: Path = REPO_ROOT) -> str | None:
    """The path relative to the repository root of what ``path`` names in ``docname``, or None."""
    path = path.strip()
    candidates = []
    parts = docname.split("/")
    if len(parts) == 2 and parts[0] == "stages":
        candidates.append(f"stages/{parts[1]}/{path.lstrip('/')}")
    candidates.append(path.lstrip("/"))
    for cand in candidates:
        if cand.split("/", 1)[0] in ("build", ".git"):  # build output is not source
            continue
        cand = cand.rstrip("/")
        full = (root / cand).resolve()
        if root.resolve() in full.parents and full.exists():
            return cand
    return None


def src_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    m = _TITLED.match(text)
    title, target = (m.group("title"), m.group("target")) if m else (text, text)
    rel = resolve(target, env.docname)
    literal = nodes.literal(title, title)
    if rel is None:
        msg = inliner.reporter.warning(
            f"src: no file {target!r} in the repository (looked in the chapter's stage and the root)",
            line=lineno)
        return [literal], [msg]
    ref = nodes.reference(rawtext, "", literal, refuri="#", classes=["src-link"])
    ref["src_path"] = rel
    return [ref], []


def fix_uris(app, doctree, docname):
    base = app.config.src_base_url
    try:
        target = app.builder.get_target_uri(docname)
    except Exception:  # builders without pages
        target = docname
    page_dir = (Path(app.outdir) / target).parent
    for ref in doctree.findall(nodes.reference):
        rel = ref.get("src_path")
        if rel is None:
            continue
        if base:
            ref["refuri"] = base + rel
        else:
            ref["refuri"] = Path(os.path.relpath(REPO_ROOT / rel, page_dir)).as_posix()


def setup(app):
    app.add_config_value("src_base_url", "", "env")
    app.add_role("src", src_role)
    app.connect("doctree-resolved", fix_uris)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
