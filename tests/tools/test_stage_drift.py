"""tools/stage-drift.py against small fake stage trees: what it compares and what it reports."""
from pathlib import Path

import pytest


def make_tree(root: Path, stages: dict[str, dict[str, str]]) -> Path:
    """stages/<name>/<relative path> = text, for every stage and file given."""
    for stage, files in stages.items():
        for rel, text in files.items():
            path = root / "stages" / stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def run(drift, root: Path, capsys, *argv: str) -> tuple[int, list[str], str]:
    code = drift.main(list(argv), root=root)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def line_for(lines: list[str], rel: str) -> str:
    [line] = [line for line in lines if line.split()[0] == rel]
    return line


def test_identical_copies_are_same_everywhere_and_shown_only_with_all(drift, tmp_path, capsys):
    make_tree(tmp_path, {s: {"kernel/format.cpp": "int f();\n"} for s in ("01-link", "02-rt0", "03-tls")})
    code, lines, _ = run(drift, tmp_path, capsys)
    assert (code, lines) == (0, [])
    code, lines, _ = run(drift, tmp_path, capsys, "--all")
    assert code == 0
    assert line_for(lines, "kernel/format.cpp").split(None, 1)[1].split() == [
        "01", "02", "03", "same", "everywhere"]


def test_a_change_that_stays_is_a_milestone(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"kernel/console.cpp": "v1\n"},
                         "02-rt0": {"kernel/console.cpp": "v1\n"},
                         "03-tls": {"kernel/console.cpp": "v2\n"},
                         "04-mmap": {"kernel/console.cpp": "v2\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--check")
    assert code == 0
    line = line_for(lines, "kernel/console.cpp")
    assert "01 02 | 03 04" in line
    assert line.endswith("changed in 03")


def test_two_milestones_are_both_named(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"a.cpp": "v1\n"}, "02-rt0": {"a.cpp": "v2\n"},
                         "03-tls": {"a.cpp": "v3\n"}})
    _, lines, _ = run(drift, tmp_path, capsys)
    assert line_for(lines, "a.cpp").endswith("changed in 02, 03")


def test_a_revert_is_drift_and_fails_check(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"kernel/traps.cpp": "fixed\n"},
                         "02-rt0": {"kernel/traps.cpp": "old\n"},
                         "03-tls": {"kernel/traps.cpp": "fixed\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--check")
    assert code == 1
    line = line_for(lines, "kernel/traps.cpp")
    assert "01 | 02 | 03" in line
    assert "DRIFT: 01 and 03 agree but the stages between them differ" in line
    # Without --check the drift is reported but the exit code stays 0.
    code, lines, _ = run(drift, tmp_path, capsys)
    assert code == 0
    assert "DRIFT" in line_for(lines, "kernel/traps.cpp")


def test_go_patches_are_compared_like_any_shared_file(drift, tmp_path, capsys):
    patch = "go-patches/0001-runtime-kernel-entry.patch"
    make_tree(tmp_path, {"02-rt0": {patch: "v1\n", "go-patches/raw-syscalls.txt": "a\n"},
                         "03-tls": {patch: "v2\n", "go-patches/raw-syscalls.txt": "a\n"},
                         "04-mmap": {patch: "v1\n", "go-patches/raw-syscalls.txt": "b\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--check")
    assert code == 1
    assert "DRIFT: 02 and 04 agree" in line_for(lines, patch)
    assert line_for(lines, "go-patches/raw-syscalls.txt").endswith("changed in 04")


def test_a_patch_changed_by_a_later_stage_is_a_milestone(drift, tmp_path, capsys):
    patch = "go-patches/0002-route-syscalls.patch"
    make_tree(tmp_path, {"02-rt0": {patch: "v1\n"}, "03-tls": {patch: "v1\n"}, "04-mmap": {patch: "v2\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--check")
    assert code == 0
    assert line_for(lines, patch).endswith("changed in 04")


def test_stage_own_files_are_not_compared(drift, tmp_path, capsys):
    own = ("expected-console.txt", "expected-trap-demo.txt", "stage.toml", "README.md")
    make_tree(tmp_path, {"01-link": {**{rel: "one\n" for rel in own}, "kernel/README.md": "one\n"},
                         "02-rt0": {**{rel: "two\n" for rel in own}, "kernel/README.md": "two\n"},
                         "03-tls": {**{rel: "one\n" for rel in own}, "kernel/README.md": "one\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--all", "--check")
    # Only the top-level README is the stage's own; one deeper down is shared code's notes.
    assert [line.split()[0] for line in lines] == ["kernel/README.md"]
    assert code == 1


def test_a_file_in_only_one_stage_is_ignored(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"kernel/a.cpp": "x\n"},
                         "02-rt0": {"kernel/a.cpp": "x\n", "kernel/new.cpp": "only here\n"}})
    _, lines, _ = run(drift, tmp_path, capsys, "--all")
    assert [line.split()[0] for line in lines] == ["kernel/a.cpp"]


def test_a_file_missing_from_a_middle_stage_compares_the_stages_that_have_it(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"a.cpp": "x\n"}, "02-rt0": {"b.cpp": "y\n"}, "03-tls": {"a.cpp": "x\n"}})
    _, lines, _ = run(drift, tmp_path, capsys, "--all")
    assert line_for(lines, "a.cpp").split(None, 1)[1].split() == ["01", "03", "same", "everywhere"]


def test_other_directories_and_python_caches_are_skipped(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"a.cpp": "1\n", "tools/__pycache__/x.pyc": "1"},
                         "02-rt0": {"a.cpp": "2\n", "tools/__pycache__/x.pyc": "2"},
                         "notes": {"a.cpp": "3\n"},
                         "3-bad": {"a.cpp": "4\n"}})
    _, lines, _ = run(drift, tmp_path, capsys, "--all")
    assert [line.split()[0] for line in lines] == ["a.cpp"]
    assert line_for(lines, "a.cpp").endswith("changed in 02")


def test_no_shared_file_says_so(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"a.cpp": "1\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--check")
    assert (code, lines) == (0, ["no file is shared by two stages yet (1 stage(s))"])


def test_diff_prints_each_change_between_consecutive_copies(drift, tmp_path, capsys):
    make_tree(tmp_path, {"01-link": {"k.cpp": "a\nb\n"}, "02-rt0": {"k.cpp": "a\nb\n"},
                         "03-tls": {"k.cpp": "a\nB\n"}, "04-mmap": {"k.cpp": "a\nB\nc\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--diff", "k.cpp")
    assert code == 0
    # 01 and 02 are identical, so the first diff is 02 -> 03, then 03 -> 04.
    assert [line for line in lines if line.startswith(("---", "+++"))] == [
        "--- 02-rt0/k.cpp", "+++ 03-tls/k.cpp", "--- 03-tls/k.cpp", "+++ 04-mmap/k.cpp"]
    assert "-b" in lines and "+B" in lines and "+c" in lines


def test_diff_of_a_go_patch(drift, tmp_path, capsys):
    patch = "go-patches/0001-x.patch"
    make_tree(tmp_path, {"02-rt0": {patch: "+old\n"}, "03-tls": {patch: "+new\n"}})
    code, lines, _ = run(drift, tmp_path, capsys, "--diff", patch)
    assert code == 0
    assert f"--- 02-rt0/{patch}" in lines and "-+old" in lines and "++new" in lines


@pytest.mark.parametrize("rel", ["missing.cpp", "only-one.cpp", "stage.toml"])
def test_diff_of_a_file_not_shared_is_an_error(drift, tmp_path, capsys, rel):
    make_tree(tmp_path, {"01-link": {"only-one.cpp": "1\n", "stage.toml": "a"},
                         "02-rt0": {"x.cpp": "1\n", "stage.toml": "b"}})
    code, lines, err = run(drift, tmp_path, capsys, "--diff", rel)
    assert (code, lines) == (2, [])
    assert err == f"{rel}: not carried by two or more stages\n"


def test_verdict_directly(drift):
    assert drift.verdict([("01", "a"), ("02", "a")]) == ("same everywhere", False)
    assert drift.verdict([("01", "a"), ("02", "b"), ("03", "b")]) == ("changed in 02", False)
    text, is_drift = drift.verdict([("01", "a"), ("02", "b"), ("03", "a")])
    assert is_drift and text.startswith("DRIFT: 01 and 03 agree")
