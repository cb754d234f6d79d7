# Sphinx configuration of the book "Unigornel bring-up kit".
#
# Build it with Debian's Sphinx (the python3 first on PATH may not have it):
#     /usr/bin/python3 -m sphinx -W --keep-going -b html book build/book/html
# or through CMake: the target `book` and the CTest test `book.build` run the same command.

import sys
from pathlib import Path

# The book's own extensions (book/_ext/): the role {src} that links a repository file, and the
# generated page "What Go needs from the operating system".
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "Unigornel bring-up kit"
author = "the Unigornel bring-up kit authors"
copyright = "the Unigornel bring-up kit authors"

extensions = [
    "myst_parser",          # chapters are Markdown (MyST)
    "sphinx.ext.graphviz",  # diagrams are Graphviz, drawn by `dot` at build time
    "srclinks",             # {src}`kernel/futex_table.cpp`: a link to the file in the repository
    "go_needs",             # go-needs.md: the system-call and libc tables, read from the stages
    "labs",                 # {lab} in a chapter's "Build it yourself": its lab.toml as two lists
]

# Only Markdown sources; everything that is not a chapter stays out of the build.
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]

# MyST: ":::" fences for admonitions, definition lists ("term" then ": definition"; the
# glossary and the chapters use them), and anchors for headings up to level 3 so that a
# chapter can link to a section of another one.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Diagrams as SVG: sharp at any zoom, and the text in them can be searched and copied.
graphviz_output_format = "svg"
graphviz_dot_args = ["-Gfontname=sans-serif", "-Nfontname=sans-serif", "-Efontname=sans-serif"]

html_theme = "alabaster"
html_title = "Unigornel bring-up kit"
html_theme_options = {
    "description": "Go on the Xen hypervisor, one stage at a time",
    "fixed_sidebar": True,
    "page_width": "1100px",
}
