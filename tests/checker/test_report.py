"""The text, JSON and JUnit reports."""
import dataclasses
import json
import xml.etree.ElementTree as ET

from checker.report import text_report, write_json, write_junit
from checker.verdict import Outcome, Verdict


def sample() -> list[Outcome]:
    return [
        Outcome("01-link", Verdict.PASS, "console matched (3 lines), ended with crash as expected",
                console="hello\n", end="crash", elapsed_s=4.21, first_byte_s=0.3),
        Outcome("02-traps/trap-demo", Verdict.MISMATCH, "line 2 differs", details="-a\n+b",
                diff="-a\n+b", first_difference=2, console="x\nb\n", end="crash", elapsed_s=2.0),
        Outcome("03-timer", Verdict.TIMEOUT, "no end", details="Console:\n  tick",
                console="tick\n", end="timeout", elapsed_s=30.0),
        Outcome("04-heap", Verdict.BUILD_ERROR, "did not build", details="error: x"),
        Outcome("05-net", Verdict.HOST_ERROR, "host broke", details="QEMU died"),
        Outcome("06-crash", Verdict.UNEXPECTED_CRASH, "crashed", details="tail", elapsed_s=1.0),
    ]


def test_text_report_lists_scenarios_then_failures_then_totals():
    report = text_report(sample(), ["unigornel checker", "host: embedded"])
    lines = report.splitlines()
    assert lines[:2] == ["unigornel checker", "host: embedded"]
    assert lines[3] == ("PASS              01-link                4.2 s  "
                        "console matched (3 lines), ended with crash as expected")
    assert lines[6] == "BUILD-ERROR       04-heap                    -  did not build"
    assert lines[-1] == "1 passed, 5 failed"
    assert report.endswith("\n")
    assert "--- 01-link" not in report
    section = lines.index("--- 02-traps/trap-demo: MISMATCH ---")
    assert lines[section + 1:section + 4] == ["line 2 differs", "    -a", "    +b"]
    for heading in ("--- 03-timer: TIMEOUT ---", "--- 04-heap: BUILD-ERROR ---",
                    "--- 05-net: HOST-ERROR ---", "--- 06-crash: UNEXPECTED-CRASH ---"):
        assert heading in lines


def test_text_report_cuts_long_details():
    long = Outcome("01-link", Verdict.MISMATCH, "differs",
                   details="\n".join(f"detail {n}" for n in range(1, 101)))
    lines = text_report([long]).splitlines()
    assert "    detail 80" in lines
    assert "    detail 81" not in lines
    assert any("20 more lines not shown" in line for line in lines)
    assert lines[-1] == "0 passed, 1 failed"


def test_text_report_leaves_no_trailing_blanks_in_details():
    outcome = Outcome("01-link", Verdict.MISMATCH, "differs", details="diff\n\nConsole:\n  x")
    lines = text_report([outcome]).splitlines()
    assert lines[-6:-2] == ["    diff", "", "    Console:", "      x"]


def test_text_report_for_nothing():
    assert text_report([]).splitlines()[-1] == "0 passed, 0 failed"


def test_json_round_trip(tmp_path):
    outcomes = sample()
    path = tmp_path / "out" / "results.json"
    write_json(outcomes, path, {"host": "embedded", "stages": ["01-link"]})
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["meta"] == {"host": "embedded", "stages": ["01-link"]}
    assert (document["passed"], document["failed"]) == (1, 5)
    assert document["results"][1]["verdict"] == "MISMATCH"
    assert document["results"][1]["first_difference"] == 2
    rebuilt = [Outcome(**{**r, "verdict": Verdict(r["verdict"])}) for r in document["results"]]
    assert rebuilt == outcomes
    assert set(document["results"][0]) == {f.name for f in dataclasses.fields(Outcome)}


def test_junit_counts_failures_and_errors(tmp_path):
    path = tmp_path / "junit.xml"
    write_junit(sample(), path)
    suite = ET.parse(path).getroot()
    assert suite.tag == "testsuite"
    assert suite.get("name") == "unigornel-checker"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "3", "2")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [o.scenario_id for o in sample()]
    assert cases[1].get("classname") == "stages.02-traps"
    assert cases[0].get("time") == "4.210"
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    assert cases[0].find("system-out").text == "hello\n"
    failure = cases[1].find("failure")
    assert failure.get("message") == "line 2 differs"
    assert failure.get("type") == "MISMATCH"
    assert failure.text == "-a\n+b"
    assert cases[3].find("error").get("type") == "BUILD-ERROR"
    assert len(suite.findall("testcase/failure")) == 3
    assert len(suite.findall("testcase/error")) == 2


def test_junit_survives_control_characters(tmp_path):
    console = "boot\x00\x01\x1b[31m red\x07\n\ttab\n\ud800 \ufffe ok \U0001f600\n"
    outcome = Outcome("01-link", Verdict.MISMATCH, "bad\x0bsummary", details="d\x1f\n",
                      console=console, elapsed_s=None)
    path = tmp_path / "junit.xml"
    write_junit([outcome], path, suite_name="custom")
    suite = ET.parse(path).getroot()
    assert suite.get("name") == "custom"
    case = suite.find("testcase")
    assert case.get("time") == "0.000"
    assert case.find("system-out").text == "boot[31m red\n\ttab\n  ok \U0001f600\n"
    assert case.find("failure").get("message") == "badsummary"
    assert case.find("failure").text == "d\n"
