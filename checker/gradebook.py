"""The grades of a class: every student's verdict on every scenario, the points, and the files
they are written to (grades.csv for the class, junit.xml per student, the table on the terminal).

A PASS earns the scenario's `points` (stage.toml, 1 by default); every other verdict earns 0.
The table is in the style of xv6's `make grade`: one line per test and a score per student,
then one line per student for the class.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from . import report
from .spec import Scenario
from .verdict import Outcome, Verdict

CSV_FILE = "grades.csv"
JUNIT_FILE = "junit.xml"
SUMMARY_FILE = "summary.txt"


@dataclass
class Gradebook:
    students: list[str]
    scenarios: list[Scenario]                      # in the order of the reference kit
    outcomes: dict[tuple[str, str], Outcome] = field(default_factory=dict)  # (student, scenario id)

    def outcome(self, student: str, scenario: Scenario) -> Outcome:
        return self.outcomes[(student, scenario.id)]

    def earned(self, student: str, scenario: Scenario) -> int:
        return scenario.points if self.outcome(student, scenario).verdict is Verdict.PASS else 0

    def score(self, student: str) -> tuple[int, int]:
        """(points earned, the most points the graded scenarios give)."""
        return (sum(self.earned(student, sc) for sc in self.scenarios),
                sum(sc.points for sc in self.scenarios))

    def host_errors(self) -> list[tuple[str, str]]:
        """(student, scenario id) of every HOST-ERROR: those grades say nothing about the kernel."""
        return [(student, sc.id) for student in self.students for sc in self.scenarios
                if self.outcome(student, sc).verdict is Verdict.HOST_ERROR]


def write_csv(book: Gradebook, path: Path) -> None:
    """One row per student: the verdict of each scenario, then points earned and possible."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *(sc.id for sc in book.scenarios), "points", "max_points"])
        for student in book.students:
            earned, possible = book.score(student)
            writer.writerow([student, *(book.outcome(student, sc).verdict.value for sc in book.scenarios),
                             earned, possible])


def write_junit(book: Gradebook, student: str, path: Path) -> None:
    """The student's own JUnit file: a testcase per scenario, the score among the properties."""
    earned, possible = book.score(student)
    report.write_junit([book.outcome(student, sc) for sc in book.scenarios], path, suite_name=student,
                       properties={"student": student, "points": str(earned), "max_points": str(possible)},
                       points={sc.id: (book.earned(student, sc), sc.points) for sc in book.scenarios})


def _seconds(outcome: Outcome) -> str:
    return "" if outcome.elapsed_s is None else f"({outcome.elapsed_s:.1f} s)"


def student_block(book: Gradebook, student: str) -> list[str]:
    """`make grade` for one student: a line per scenario, then the score."""
    id_width = max((len(sc.id) for sc in book.scenarios), default=0)
    verdict_width = max(len(v.value) for v in Verdict)
    lines = [f"== {student} =="]
    for sc in book.scenarios:
        o = book.outcome(student, sc)
        summary = "" if o.verdict is Verdict.PASS else o.summary
        lines.append(f"  {sc.id:<{id_width}}  {o.verdict.value:<{verdict_width}}  "
                     f"{book.earned(student, sc):>2}/{sc.points:<2} {_seconds(o):>9}  {summary}".rstrip())
        if o.verdict not in (Verdict.PASS, Verdict.MISSING, Verdict.BUILD_ERROR):
            # A build error names its log; a booted scenario's files are in its directory.
            lines.append(f"  {'':<{id_width}}  see {student}/{sc.stage}/{sc.name}/")
    earned, possible = book.score(student)
    lines.append(f"Score: {earned}/{possible}")
    return lines


def class_table(book: Gradebook) -> list[str]:
    """One line per student: the score and what the other verdicts were."""
    width = max([len("student"), *(len(s) for s in book.students)])
    scores = {student: "{}/{}".format(*book.score(student)) for student in book.students}
    score_width = max([len("score"), *(len(score) for score in scores.values())])
    lines = [f"{'student':<{width}}  {'score':>{score_width}}  not passed"]
    for student in book.students:
        counts: dict[str, int] = {}
        for sc in book.scenarios:
            verdict = book.outcome(student, sc).verdict
            if verdict is not Verdict.PASS:
                counts[verdict.value] = counts.get(verdict.value, 0) + 1
        others = ", ".join(f"{n} {word}" for word, n in counts.items()) or "-"
        lines.append(f"{student:<{width}}  {scores[student]:>{score_width}}  {others}")
    return lines


def text_summary(book: Gradebook, header: list[str]) -> str:
    lines = list(header)
    for student in book.students:
        lines += [""] + student_block(book, student)
    lines += ["", "== the class ==", *class_table(book)]
    if errors := book.host_errors():
        who = sorted({student for student, _ in errors})
        lines += ["", f"{len(errors)} scenario(s) ended in HOST-ERROR (the test host failed, not the "
                      f"student's kernel); grade again: {', '.join(who)}"]
    return "\n".join(lines) + "\n"


def write_all(book: Gradebook, out: Path, header: list[str]) -> str:
    """Writes grades.csv, summary.txt and each student's junit.xml; returns the summary text."""
    write_csv(book, out / CSV_FILE)
    for student in book.students:
        write_junit(book, student, out / student / JUNIT_FILE)
    text = text_summary(book, header)
    (out / SUMMARY_FILE).write_text(text, encoding="utf-8")
    return text
