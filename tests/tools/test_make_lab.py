"""tools/make-lab.py: the regions it reads, the stubs it writes, and every stage's lab.toml."""
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = sorted(d for d in (ROOT / "stages").iterdir() if d.is_dir() and d.name[:2].isdigit())

SOURCE = """\
#include "futex_table.hpp"

size_t FutexTable::wake(uint64_t address) {
    // lab 05-futex begin: FutexTable::wake
    return address;
    // lab 05-futex end
}

void later() {
    // lab 06-hello begin: later
    do_it();
    // lab 06-hello end
}
"""


def test_parse_finds_each_region_with_its_stage_name_and_lines(make_lab):
    regions = make_lab.parse(SOURCE, "kernel/futex_table.cpp")
    assert [(r.stage, r.name, r.begin, r.end, r.indent) for r in regions] == [
        ("05-futex", "FutexTable::wake", 4, 6, "    "), ("06-hello", "later", 10, 12, "    ")]


@pytest.mark.parametrize("text, says", [
    ("// lab 05-futex begin: a\n// lab 05-futex begin: b\n", "begins inside the region begun on line 1"),
    ("x\n// lab 05-futex end\n", "2: 'lab 05-futex end' without a begin"),
    ("// lab 05-futex begin: a\n// lab 06-hello end\n", "ends as 06-hello's"),
    ("// lab 05-futex begin: a\nx\n", "1: the region 'a' is never ended"),
    ("// lab 05-futex start: a\n", "a lab marker this tool cannot read"),
])
def test_parse_refuses_markers_it_cannot_pair(make_lab, text, says):
    with pytest.raises(make_lab.LabError, match=says.replace("(", r"\(").replace(")", r"\)")):
        make_lab.parse(text, "kernel/x.cpp")


def test_stub_file_replaces_only_the_regions_given_and_includes_panic_hpp(make_lab):
    regions = [r for r in make_lab.parse(SOURCE, "kernel/futex_table.cpp") if r.stage == "05-futex"]
    stubbed = make_lab.stub_file(SOURCE, regions)
    assert stubbed.splitlines()[:9] == [
        '#include "futex_table.hpp"',
        '#include "panic.hpp"',
        "",
        "size_t FutexTable::wake(uint64_t address) {",
        "    // lab 05-futex begin: FutexTable::wake",
        '    kernel::panic("lab: FutexTable::wake is yours to write (kernel/futex_table.cpp; book chapter '
        '05-futex, \\"Build it yourself\\")");',
        "    // lab 05-futex end",
        "}",
        "",
    ]
    assert "do_it();" in stubbed and "// lab 06-hello begin: later" in stubbed, "another stage's region stays"


def test_the_panic_include_is_relative_to_the_file(make_lab):
    assert make_lab.panic_include("kernel/tls.cpp") == '#include "panic.hpp"\n'
    assert make_lab.panic_include("kernel/tty/line_discipline.cpp") == '#include "../panic.hpp"\n'


@pytest.mark.parametrize("stage", STAGES, ids=lambda d: d.name)
def test_every_stage_has_a_lab_whose_markers_and_expectations_agree(make_lab, stage):
    lab = make_lab.load_lab(stage)
    regions = make_lab.own_regions(stage, lab)  # raises when lab.toml and the markers disagree
    assert regions, f"{stage.name} marks no region of its own"
    scenarios = [s["name"] for s in tomllib.loads((stage / "stage.toml").read_text())["scenario"]]
    listed = [name for group in lab["expect"] for name in group["scenarios"]]
    assert sorted(listed) == sorted(scenarios), "every scenario of the stage is in exactly one [[expect]] group"
    failing = [group for group in lab["expect"] if group["verdict"] != "PASS"]
    assert failing, "a lab must fail somewhere"
    names = {r.name for r in regions}
    for group in failing:
        assert any(group["says"] == f"lab: {name} is yours to write" for name in names), group["says"]


@pytest.mark.parametrize("stage", STAGES, ids=lambda d: d.name)
def test_the_kit_copies_of_a_region_are_the_same_in_every_later_stage(make_lab, stage):
    """A region of stage N in a later stage (which carries the code) is marked there too, so the
    copies stay identical and a lab of the later stage still has the earlier milestone's code."""
    for region in make_lab.own_regions(stage, make_lab.load_lab(stage)):
        for later in STAGES:
            if later.name > stage.name and (later / region.file).is_file():
                marked = {(r.stage, r.name) for r in make_lab.find_regions(later)}
                assert (stage.name, region.name) in marked, f"{later.name}/{region.file} lacks the region {region.name}"


def fake_kit(tmp_path: Path) -> Path:
    root = tmp_path / "kit"
    stage = root / "stages" / "05-futex"
    (stage / "kernel").mkdir(parents=True)
    (stage / "kernel" / "futex_table.cpp").write_text(SOURCE)
    (stage / "stage.toml").write_text('[[scenario]]\nname = "boot"\n')
    (stage / "lab.toml").write_text(
        'goal = "Threads that sleep and wake."\n'
        '[[region]]\nname = "FutexTable::wake"\nfile = "kernel/futex_table.cpp"\nhint = "Wake them."\n'
        '[[expect]]\nverdict = "UNEXPECTED-CRASH"\nsays = "lab: FutexTable::wake is yours to write"\n'
        'scenarios = ["boot"]\n')
    (root / "README.md").write_text("kit\n")
    (root / "build").mkdir()
    (root / "build" / "junk").write_text("not tracked\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "stages", "README.md"], cwd=root, check=True)
    return root


def test_make_copies_the_tracked_files_and_writes_the_lab(make_lab, tmp_path, capsys):
    root = fake_kit(tmp_path)
    out = tmp_path / "lab"
    assert make_lab.main(["05", "--out", str(out), "--root", str(root)]) == 0
    assert (out / "README.md").is_file() and not (out / "build").exists(), "build output stays behind"
    stubbed = (out / "stages" / "05-futex" / "kernel" / "futex_table.cpp").read_text()
    assert "return address;" not in stubbed and "lab: FutexTable::wake is yours to write" in stubbed
    assert "return address;" in (root / "stages" / "05-futex" / "kernel" / "futex_table.cpp").read_text()
    lab_md = (out / "stages" / "05-futex" / "LAB.md").read_text()
    assert "1. `FutexTable::wake` in `kernel/futex_table.cpp`\n   Wake them." in lab_md
    assert "- UNEXPECTED-CRASH, the kernel says `lab: FutexTable::wake is yours to write`: `05-futex`" in lab_md, \
        "the scenario named as the checker prints it"
    assert "tools/setup.sh --build-only" in lab_md
    assert "python3 -m checker run 05-futex" in capsys.readouterr().out


def test_make_in_place_changes_the_kit_itself(make_lab, tmp_path, capsys):
    root = fake_kit(tmp_path)
    assert make_lab.main(["05-futex", "--in-place", "--root", str(root)]) == 0
    assert "is yours to write" in (root / "stages" / "05-futex" / "kernel" / "futex_table.cpp").read_text()
    assert "git checkout -- stages/05-futex" in capsys.readouterr().out


def test_make_refuses_a_used_directory_an_unknown_stage_and_disagreeing_markers(make_lab, tmp_path, capsys):
    root = fake_kit(tmp_path)
    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("")
    assert make_lab.main(["05", "--out", str(used), "--root", str(root)]) == 1
    assert make_lab.main(["42", "--out", str(tmp_path / "a"), "--root", str(root)]) == 1
    source = root / "stages" / "05-futex" / "kernel" / "futex_table.cpp"
    source.write_text(SOURCE.replace("begin: FutexTable::wake", "begin: FutexTable::wake_all"))
    assert make_lab.main(["05", "--out", str(tmp_path / "b"), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "exists and is not empty" in err and "no stage '42'" in err
    assert "listed but not marked: [('FutexTable::wake'" in err and "marked but not listed" in err
    assert not (tmp_path / "b").exists(), "nothing is copied when a check fails"


def fake_kit_with_a_later_stage(tmp_path: Path) -> Path:
    """fake_kit plus stage 06-hello, which carries 05's code (region and all) and has its own."""
    root = fake_kit(tmp_path)
    later = root / "stages" / "06-hello"
    (later / "kernel").mkdir(parents=True)
    (later / "kernel" / "futex_table.cpp").write_text(SOURCE)
    (later / "stage.toml").write_text('[[scenario]]\nname = "boot"\n')
    (later / "lab.toml").write_text(
        'goal = "Later."\n'
        '[[region]]\nname = "later"\nfile = "kernel/futex_table.cpp"\nhint = "Do it."\n'
        '[[expect]]\nverdict = "UNEXPECTED-CRASH"\nsays = "lab: later is yours to write"\nscenarios = ["boot"]\n')
    subprocess.run(["git", "add", "stages"], cwd=root, check=True)
    return root


def test_a_handout_takes_the_lab_out_of_every_later_stage_that_carries_it(make_lab, tmp_path, capsys):
    root = fake_kit_with_a_later_stage(tmp_path)
    out = tmp_path / "lab"
    assert make_lab.main(["05", "--out", str(out), "--root", str(root)]) == 0
    later = (out / "stages" / "06-hello" / "kernel" / "futex_table.cpp").read_text()
    assert "return address;" not in later and "lab: FutexTable::wake is yours to write" in later
    assert "do_it();" in later, "06's own region is not this lab's"
    assert not (out / "stages" / "06-hello" / "LAB.md").exists()
    assert "and out of the same code in 06-hello" in capsys.readouterr().out


def test_all_takes_every_region_out_wherever_it_appears(make_lab, tmp_path):
    root = fake_kit_with_a_later_stage(tmp_path)
    out = tmp_path / "lab"
    assert make_lab.main(["--all", "--out", str(out), "--root", str(root)]) == 0
    later = (out / "stages" / "06-hello" / "kernel" / "futex_table.cpp").read_text()
    assert "return address;" not in later and "do_it();" not in later
    assert (out / "stages" / "05-futex" / "LAB.md").is_file() and (out / "stages" / "06-hello" / "LAB.md").is_file()


def test_in_place_keeps_later_stages_and_says_so(make_lab, tmp_path, capsys):
    root = fake_kit_with_a_later_stage(tmp_path)
    assert make_lab.main(["05", "--in-place", "--root", str(root)]) == 0
    assert "return address;" in (root / "stages" / "06-hello" / "kernel" / "futex_table.cpp").read_text()
    said = capsys.readouterr().out
    assert "note: 06-hello still hold this lab's code" in said and "from --out" in said


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("stage", STAGES, ids=lambda d: d.name)
def test_no_file_of_a_handout_holds_the_solution_of_its_lab(make_lab, stage, tmp_path):
    """The handout of stage N (make-lab.py N --out DIR): no file in it contains the code of any
    of N's regions, whitespace aside, wherever the kit carries that code."""
    solutions = {}
    for region in make_lab.own_regions(stage, make_lab.load_lab(stage)):
        text = (stage / region.file).read_text()
        solutions[region.name] = _squeezed("".join(text.splitlines(keepends=True)[region.begin:region.end - 1]))
    assert all(solutions.values()), "every region holds code"
    out = tmp_path / "handout"
    assert make_lab.make(ROOT, [stage], out, log=lambda _: None) == []
    leaks = []
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".cpp", ".hpp", ".S", ".inc", ".h", ".c", ".md", ".go", ".txt", ".py"}:
            squeezed = _squeezed(path.read_text(errors="replace"))
            leaks += [f"{path.relative_to(out)}: {name}" for name, code in solutions.items() if code in squeezed]
    assert not leaks, "the handout holds its own solution:\n" + "\n".join(leaks)
