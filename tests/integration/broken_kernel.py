"""A stage's kernel with one mistake put in on purpose, built at test time and never committed.

The stage comes from HEAD (git archive, so a half-edited working tree cannot change it); one
line of its kernel_main gets code inserted after it; the stage is built with CMake in a
temporary directory.  Used by the integration tests that need a kernel which hangs or dies in
a way no committed stage does.
"""
from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Lines of kernel_main (every stage from 02 on) that the tests insert after: the banner's second
# line, before anything but the console is set up; and the start_info report, before the trap
# table is installed.
BANNER_LINE = '    printf("running on Xen %ld.%ld\\n", version >> 16, version & 0xffff);\n'
REPORT_LINE = "    kernel::report_start_info(*si, console_sink, nullptr);  // what Xen handed over\n"


def build_variant(work: Path, stage: str, after_line: str, insertion: str, before_main: str = "",
                  edits: tuple[tuple[str, str, str], ...] = ()) -> Path:
    """Stage `stage` with `insertion` after `after_line` of kernel/main.cpp (and `before_main`
    above kernel_main's definition; after_line "" leaves main.cpp alone), and each
    (file under the stage, old text, new text) of `edits` made, built in `work`; returns its
    kernel.elf."""
    tree = subprocess.run(["git", "archive", "HEAD", f"stages/{stage}", "cmake", "tools"], cwd=REPO,
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tree)) as archive:
        archive.extractall(work / "src")
    main = work / "src" / "stages" / stage / "kernel" / "main.cpp"
    for name, old, new in edits:
        path = work / "src" / "stages" / stage / name
        source = path.read_text()
        assert old in source, f"stage {stage}'s {name} changed: update the text the test replaces"
        path.write_text(source.replace(old, new, 1))
    text = main.read_text()
    if after_line:
        assert after_line in text, f"stage {stage}'s kernel_main changed: update the line the test inserts after"
        text = text.replace(after_line, after_line + insertion)
    if before_main:
        anchor = 'extern "C" [[noreturn]] void kernel_main('
        assert anchor in text, f"stage {stage}'s kernel_main is declared differently now"
        text = text.replace(anchor, before_main + anchor)
    main.write_text(text)
    build = work / "build"
    for cmd in (["cmake", "-S", str(main.parents[1]), "-B", str(build)],
                ["cmake", "--build", str(build), "--parallel", "2"]):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return build / "kernel.elf"
