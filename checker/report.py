"""Writes the outcomes of a check: for people (text), for scripts (JSON) and for CI (JUnit XML).

The text report puts one line per scenario first, so a student sees at a glance what passed,
then one section per failure with its details. The JSON file carries every Outcome field so
other tools need not parse text. The JUnit file lets CI systems show each scenario as a test.
"""
from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Sequence

from .verdict import Outcome, Verdict

DETAIL_LINES = 80

# JUnit tells failures from errors: a wrong console is a failed test, while a kernel that did
# not build, a broken test host or a wrong stage.toml means the test could not run at all.
# A stage missing from a student's submission (`checker grade`) is a failed test too: it scores
# nothing, and a CI view must not show it as skipped, which reads as "fine".
_FAILURES = (Verdict.MISMATCH, Verdict.UNEXPECTED_CRASH, Verdict.TIMEOUT, Verdict.MISSING)
_ERRORS = (Verdict.BUILD_ERROR, Verdict.HOST_ERROR, Verdict.SPEC_ERROR)

# Characters XML 1.0 does not allow at all, not even escaped (most C0 controls, surrogates,
# U+FFFE and U+FFFF). A kernel printing garbage must not make the JUnit file unreadable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _totals(outcomes: Sequence[Outcome]) -> tuple[int, int]:
    passed = sum(1 for outcome in outcomes if outcome.verdict == Verdict.PASS)
    return passed, len(outcomes) - passed


def _seconds(outcome: Outcome) -> str:
    return "-" if outcome.elapsed_s is None else f"{outcome.elapsed_s:.1f} s"


def _indented(details: str) -> list[str]:
    lines = details.splitlines()
    shown = [("    " + line).rstrip() for line in lines[:DETAIL_LINES]]
    if len(lines) > DETAIL_LINES:
        cut = len(lines) - DETAIL_LINES
        shown.append(f"    ... {cut} more line{'s' if cut != 1 else ''} not shown "
                     "(the JSON report has them all)")
    return shown


def text_report(outcomes: list[Outcome], header_lines: Sequence[str] = ()) -> str:
    """The report printed on the terminal; ends with "N passed, M failed"."""
    lines = list(header_lines)
    if lines:
        lines.append("")
    verdict_width = max((len(o.verdict.value) for o in outcomes), default=0)
    id_width = max((len(o.scenario_id) for o in outcomes), default=0)
    for o in outcomes:
        lines.append(f"{o.verdict.value:<{verdict_width}}  {o.scenario_id:<{id_width}}  "
                     f"{_seconds(o):>8}  {o.summary}")
    for o in outcomes:
        if o.verdict == Verdict.PASS:
            continue
        lines += ["", f"--- {o.scenario_id}: {o.verdict.value} ---", o.summary]
        lines += _indented(o.details)
    passed, failed = _totals(outcomes)
    lines += ["", f"{passed} passed, {failed} failed"]
    return "\n".join(lines) + "\n"


def _as_dict(outcome: Outcome) -> dict[str, Any]:
    data = dataclasses.asdict(outcome)
    data["verdict"] = outcome.verdict.value
    return data


def write_json(outcomes: Sequence[Outcome], path: Path, meta: dict) -> None:
    """Writes {"meta", "results", "passed", "failed"}; results hold every Outcome field."""
    passed, failed = _totals(outcomes)
    document = {"meta": meta, "results": [_as_dict(o) for o in outcomes],
                "passed": passed, "failed": failed}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    holder = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(holder, "property", {"name": name, "value": _xml_text(value)})


def write_junit(outcomes: Sequence[Outcome], path: Path, suite_name: str = "unigornel-checker",
                properties: dict[str, str] | None = None,
                points: dict[str, tuple[int, int]] | None = None) -> None:
    """Writes one JUnit <testsuite> with a <testcase> per scenario.

    properties: <property> elements of the suite (`checker grade` names the student and the
    score there); points: per scenario id, (points earned, points possible), shown as a
    property "points" = "1/1" of its testcase, which the CI systems that read testcase
    properties display and the others ignore.
    """
    failures = sum(1 for o in outcomes if o.verdict in _FAILURES)
    errors = sum(1 for o in outcomes if o.verdict in _ERRORS)
    total_time = sum(o.elapsed_s or 0.0 for o in outcomes)
    suite = ET.Element("testsuite", {
        "name": suite_name, "tests": str(len(outcomes)), "failures": str(failures),
        "errors": str(errors), "skipped": "0", "time": f"{total_time:.3f}",
    })
    if properties:
        _properties(suite, properties)
    for o in outcomes:
        stage = o.scenario_id.split("/", 1)[0]
        case = ET.SubElement(suite, "testcase", {
            "classname": f"stages.{stage}", "name": _xml_text(o.scenario_id),
            "time": f"{o.elapsed_s or 0.0:.3f}",
        })
        if points and o.scenario_id in points:
            earned, possible = points[o.scenario_id]
            _properties(case, {"points": f"{earned}/{possible}"})
        if o.verdict in _FAILURES or o.verdict in _ERRORS:
            tag = "failure" if o.verdict in _FAILURES else "error"
            problem = ET.SubElement(case, tag, {"message": _xml_text(o.summary),
                                                "type": o.verdict.value})
            problem.text = _xml_text(o.details)
        if o.console:
            ET.SubElement(case, "system-out").text = _xml_text(o.console)
    tree = ET.ElementTree(suite)
    ET.indent(tree)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
