"""Every stage's lab builds, boots on real Xen, and fails the way its lab.toml (and chapter) says.

For every stage, tools/make-lab.py NN --out makes the handout of that stage's lab, and the lab
stage alone becomes one "student" (lab-NN/NN-name: a submission of stage directories); one
`checker grade` of all of them builds each lab stage in its own tree, boots every scenario on
the test host and judges it against the kit's transcripts (the other stages are MISSING for
that student, and not built).  For every scenario the verdict must be the one lab.toml's
[[expect]] gives, and a failing scenario's console must hold the panic that names the function
still to write ("lab: FutexTable::add is yours to write").  That the kit itself, the solution,
passes every scenario is xen.stages.

Boots QEMU: run by ctest as xen.labs, under the xen-test-host resource lock.  About 5 minutes
under TCG: ten stage builds of about 13 s each, then 86 scenarios of about 1.5 s.
"""
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
GRADE_S = 1800


def labs() -> dict[str, dict]:
    return {d.name: tomllib.loads((d / "lab.toml").read_text())
            for d in sorted((REPO / "stages").iterdir()) if (d / "lab.toml").is_file()}


def test_every_lab_builds_boots_and_fails_as_its_lab_toml_says(tmp_path):
    students = []
    for stage in labs():
        handout = tmp_path / "handouts" / stage
        made = subprocess.run([sys.executable, str(REPO / "tools" / "make-lab.py"), stage[:2], "--out", str(handout)],
                              capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        student = tmp_path / "class" / f"lab-{stage[:2]}"
        shutil.copytree(handout / "stages" / stage, student / stage)
        students.append(str(student))
    out = tmp_path / "grades"
    graded = subprocess.run([sys.executable, "-m", "checker", "--build-dir", str(BUILD_DIR), "grade", "--wait",
                             "--out", str(out), *students],
                            cwd=REPO, capture_output=True, text=True, timeout=GRADE_S)
    print(graded.stdout[-20000:])
    print(graded.stderr[-5000:], file=sys.stderr)
    assert (out / "grades.csv").is_file(), f"grade did not finish (exit {graded.returncode})"

    wrong = []
    for stage, lab in labs().items():
        for group in lab["expect"]:
            for scenario in group["scenarios"]:
                where = out / f"lab-{stage[:2]}" / stage / scenario
                result = json.loads((where / "result.json").read_text())
                if result["verdict"] != group["verdict"]:
                    wrong.append(f"{stage}/{scenario}: {result['verdict']}, lab.toml says {group['verdict']} "
                                 f"({result['summary']})")
                elif "says" in group and group["says"] not in (where / "console.txt").read_text():
                    wrong.append(f"{stage}/{scenario}: the console lacks {group['says']!r} "
                                 f"({result['summary']})")
    assert not wrong, "labs that do not fail as lab.toml says:\n" + "\n".join(wrong)
