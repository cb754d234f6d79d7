"""lab_copies.py: a later stage of a lab submission that holds code in a lab region again."""
from pathlib import Path

from checker import grade, lab_copies, submission
from checker.lab_regions import Region, stub_text

SOLUTION = "    return address;\n"
MINE = "    return address + 0;\n"


def source(code: str) -> str:
    return ("size_t FutexTable::wake(uint64_t address) {\n"
            "    // lab 05-futex begin: FutexTable::wake\n"
            f"{code}"
            "    // lab 05-futex end\n"
            "}\n")


STUB = stub_text(Region("05-futex", "FutexTable::wake", "kernel/futex_table.cpp", 2, 4, "    "))


def stage(root: Path, name: str, code: str, lab: bool = False) -> None:
    (root / name / "kernel").mkdir(parents=True)
    (root / name / "kernel" / "futex_table.cpp").write_text(source(code))
    if lab:
        (root / name / "LAB.md").write_text("# Lab\n")


def kit(tmp_path: Path) -> Path:
    stages = tmp_path / "kit" / "stages"
    stage(stages, "05-futex", SOLUTION)
    stage(stages, "06-hello", SOLUTION)
    return stages


def test_a_handout_as_given_has_nothing_to_say(tmp_path):
    student = tmp_path / "alice"
    stage(student, "05-futex", STUB, lab=True)
    stage(student, "06-hello", STUB)
    assert lab_copies.warnings(student, kit(tmp_path)) == []


def test_the_kits_solution_in_a_later_stage_is_named(tmp_path):
    student = tmp_path / "alice"
    stage(student, "05-futex", MINE, lab=True)
    stage(student, "06-hello", SOLUTION)
    [line] = lab_copies.warnings(student, kit(tmp_path))
    assert line.startswith("06-hello/kernel/futex_table.cpp:2: the lab region FutexTable::wake of 05-futex holds code")
    assert line.endswith("the same as the student's own 05-futex: no, the same as the kit's solution: yes")


def test_the_students_own_code_carried_forward_is_said_to_be_theirs(tmp_path):
    student = tmp_path / "bob"
    stage(student, "05-futex", MINE, lab=True)
    stage(student, "06-hello", "\n" + MINE)  # whitespace aside
    [line] = lab_copies.warnings(student, kit(tmp_path))
    assert line.endswith("own 05-futex: yes, the same as the kit's solution: no")


def test_without_lab_md_no_stage_is_a_lab_and_the_lab_stage_itself_is_never_flagged(tmp_path):
    student = tmp_path / "carol"
    stage(student, "05-futex", SOLUTION)
    stage(student, "06-hello", SOLUTION)
    stages = kit(tmp_path)
    assert lab_copies.warnings(student, stages) == [], "the kit itself, or no handout: nothing to compare"
    (student / "05-futex" / "LAB.md").write_text("# Lab\n")
    assert len(lab_copies.warnings(student, stages)) == 1, "only 06's copy, not 05's own region"


def test_grade_logs_the_warnings_and_writes_them_beside_the_students_results(tmp_path):
    student = tmp_path / "alice"
    stage(student / "stages", "05-futex", MINE, lab=True)
    stage(student / "stages", "06-hello", SOLUTION)
    [sub] = submission.find([student], [])
    said: list[str] = []
    grader = grade.Grader(kit(tmp_path).parent, [], [sub], tmp_path / "out", None, None, said.append)
    grader._check_lab_copies(sub)
    assert said and said[0].startswith("warning: alice: 06-hello/kernel/futex_table.cpp:2: the lab region")
    assert (tmp_path / "out" / "alice" / grade.LAB_WARNINGS_FILE).read_text().count("\n") == 1
    assert grader.lab_warning_line() == ("warning: later stages hold code in a lab region that the handout had "
                                         "taken out: alice (1, see alice/lab-warnings.txt)")
