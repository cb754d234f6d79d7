"""Decides whether a run passed, and says in one line what went wrong when it did not.

A run passes when its normalised console (followed by the blocks of its dom0 steps, see
dom0_steps.py) equals the normalised transcript *and* the guest ended the way the stage expects
(a clean shutdown, or a crash that the stage causes on purpose), and every dom0 tool ended by
itself.
Each failure gets a verdict that points the student at the right kind of problem, a one-line
summary, and details (a diff, the last console lines, the toolstack's words) to look at next.
The outcomes of scenarios that never ran to their end (a kernel that did not build, a test host
that failed) are made in not_run.py.
"""
from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

from .normalize import normalize
from .run_result import RunResult
from .spec import Scenario

TAIL_LINES = 15
QUOTE_LIMIT = 100   # the longest a line quoted in a summary may be, "..." included
QUOTE_CONTEXT = 40  # of two long lines, how much that both share is shown before they differ


class Verdict(str, enum.Enum):
    """The word a report shows for a scenario; a str so it serialises as itself."""

    PASS = "PASS"
    MISMATCH = "MISMATCH"                  # the console or the way the guest ended is wrong
    UNEXPECTED_CRASH = "UNEXPECTED-CRASH"  # the guest crashed, or Xen could not even start it
    TIMEOUT = "TIMEOUT"                    # the guest neither shut down nor crashed in time
    BUILD_ERROR = "BUILD-ERROR"            # the kernel did not compile or link
    HOST_ERROR = "HOST-ERROR"              # the test host or this machine failed, not the student's kernel
    SPEC_ERROR = "SPEC-ERROR"              # the stage's stage.toml (or a file it names) is wrong
    MISSING = "MISSING"                    # `checker grade`: the submission has no directory for the stage


@dataclass
class Outcome:
    """The verdict on one scenario, with everything a report needs."""

    scenario_id: str
    verdict: Verdict
    summary: str            # one line for a student
    details: str = ""       # the diff, the last console lines, a build log tail or host error text
    diff: str = ""
    first_difference: int | None = None  # 1-based line number in the expected transcript
    console: str = ""       # normalised console
    end: str = ""           # "shutdown", "crash", or another way the run ended (see run_result.RunResult)
    elapsed_s: float | None = None
    first_byte_s: float | None = None


def _tail(console: str) -> str:
    lines = console.splitlines()
    if not lines:
        return "(the guest printed nothing)"
    shown = lines[-TAIL_LINES:]
    heading = f"Last {len(shown)} console lines:" if len(lines) > len(shown) else "Console:"
    return "\n".join([heading, *("  " + line for line in shown)])


def _head(console: str, count: int = 5) -> str:
    """The first lines, for a flood: where the printing started, next to where it was stopped."""
    lines = console.splitlines()
    if len(lines) <= TAIL_LINES:
        return ""  # the tail already shows everything
    return "\n".join([f"First {count} console lines:", *("  " + line for line in lines[:count])])


def _host_said(result: RunResult) -> str:
    if not result.host_messages:
        return ""
    return "\n".join(["Xen's toolstack (xl) said:", *("  " + m for m in result.host_messages)])


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _quote(line: str) -> str:
    if len(line) > QUOTE_LIMIT:
        line = line[:QUOTE_LIMIT - 3] + "..."
    return f'"{line}"'


def _quote_pair(want: str, got: str) -> tuple[str, str]:
    """Two lines that differ, quoted so that the difference shows.

    Short lines are quoted whole. Long ones are both cut to the same window: it starts
    QUOTE_CONTEXT characters before the first character in which they differ (or at the
    start of the line, if that is nearer), and "..." marks each side that was cut. Cutting
    both at a fixed length instead would show two equal strings for a late difference.
    """
    if len(want) <= QUOTE_LIMIT and len(got) <= QUOTE_LIMIT:
        return _quote(want), _quote(got)
    first = 0
    while first < min(len(want), len(got)) and want[first] == got[first]:
        first += 1
    start = first - QUOTE_CONTEXT if first > QUOTE_CONTEXT else 0

    def window(line: str) -> str:
        head = "..." if start else ""
        piece = line[start:]
        room = QUOTE_LIMIT - len(head)
        if len(piece) > room:
            piece = piece[:room - 3] + "..."
        return f'"{head}{piece}"'

    return window(want), window(got)


def end_name(end: str) -> str:
    """Maps the toolstack's word for how a domain ended onto stage.toml's expect_end words.

    Everything that compares a run's end with expect_end goes through this (judge, and
    `checker record` deciding whether to record), so the two can never disagree.
    """
    return "shutdown" if end == "poweroff" else end


def _first_difference(expected: list[str], actual: list[str]) -> tuple[int, str]:
    """Returns the 1-based line number of the first difference and a sentence about it."""
    for index, (want, got) in enumerate(zip(expected, actual)):
        if want != got:
            quoted_want, quoted_got = _quote_pair(want, got)
            return index + 1, f"line {index + 1} differs: expected {quoted_want}, got {quoted_got}"
    same = min(len(expected), len(actual))
    if len(actual) < len(expected):
        return same + 1, (f"the console ended early, after line {same}; line {same + 1} "
                          f"should be {_quote(expected[same])}")
    return same + 1, f"the console has extra lines after line {same}: {_quote(actual[same])}"


# How the kit's kernels start the report of a crash of their own (panic.cpp, traps.cpp; the
# program killed for want of memory, as Linux's OOM killer would, is "*** OUT OF MEMORY:").
REPORT_PREFIXES = ("*** KERNEL PANIC:", "*** CPU FAULT:", "*** OUT OF MEMORY:")


def _own_report(expected: list[str], actual: list[str]) -> str:
    """The kernel's crash report line that the transcript does not have, as a clause; "" if none.

    A crash's first differing line is often only the blank line before the report; the report
    itself ("*** KERNEL PANIC: lab: FutexTable::add is yours to write ...") is what says why.
    """
    for number, line in enumerate(actual, start=1):
        if line.startswith(REPORT_PREFIXES) and line not in expected:
            return f"the kernel reported {_quote(line)} (line {number})"
    return ""


def _diff(scenario: Scenario, expected: list[str], actual: list[str]) -> str:
    return "\n".join(difflib.unified_diff(
        expected, actual,
        fromfile=f"expected ({scenario.transcript})",
        tofile="actual console (normalised)",
        n=3, lineterm=""))


def step_trouble(result: RunResult) -> str:
    """The first dom0 step that did not end by itself, as a sentence; "" if all did."""
    return next((step.trouble for step in result.dom0 if step.trouble), "")


@dataclass
class _Run:
    """One run as the judge reads it: the normalised console and the end in expect_end's words."""

    scenario: Scenario
    result: RunResult
    console: str
    end: str

    def outcome(self, verdict: Verdict, summary: str, details: str = "", **more) -> Outcome:
        return Outcome(self.scenario.id, verdict, summary, details, console=self.console, end=self.end,
                       elapsed_s=self.result.elapsed_s, first_byte_s=self.result.first_byte_s, **more)


@dataclass(frozen=True)
class _Comparison:
    """The console against the normalised transcript."""

    console_lines: int
    diff: str = ""                 # the unified diff; "" when they are equal line for line
    line: int | None = None        # the first line that differs (1-based, in the transcript)
    what_differs: str = ""         # a clause on that line, after the kernel's own report if any


def _compare(scenario: Scenario, want: str, console: str) -> _Comparison:
    want_lines, got_lines = want.splitlines(), console.splitlines()
    diff = _diff(scenario, want_lines, got_lines) if want != console else ""
    if not diff:
        return _Comparison(len(got_lines))
    line, difference = _first_difference(want_lines, got_lines)
    report = _own_report(want_lines, got_lines)
    return _Comparison(len(got_lines), diff, line, f"{report}; {difference}" if report else difference)


def judge(scenario: Scenario, expected: str | None, result: RunResult) -> Outcome:
    """Compares one run with its transcript; `expected` is None when no transcript exists."""
    run = _Run(scenario, result, normalize(result.transcript(), scenario.rules), end_name(result.end))
    cut_short = _cut_short(run)
    if cut_short is not None:
        return cut_short
    if expected is None:
        return run.outcome(Verdict.MISMATCH,
                           f"no expected transcript ({scenario.transcript}); check the console below "
                           f"by eye, then record it with `python3 -m checker record {scenario.id}`",
                           run.console or "(the guest printed nothing)")
    return _against_transcript(run, _compare(scenario, normalize(expected, scenario.rules), run.console))


def _cut_short(run: _Run) -> Outcome | None:
    """The outcome of a run that the transcript cannot decide: stopped (its time was up, or it
    printed too much), never started by xl, or with a step that dom0 refused; None otherwise."""
    scenario, result, console = run.scenario, run.result, run.console
    if result.end == "timeout":
        # Where it was (runner.py asks xenctx before it destroys the domain) comes first: it is
        # the answer to "stuck where?"; the console after it shows how far the guest got.
        stuck = f"; it was in {result.stopped_in}" if result.stopped_in else ""
        return run.outcome(Verdict.TIMEOUT,
                           f"the guest neither shut down nor crashed within {scenario.timeout_s:g} s "
                           f"(stuck in a loop, or waiting for something that never comes?){stuck}",
                           _join("\n".join(result.where), _tail(console), step_trouble(result)))
    if result.end == "output-limit":
        return run.outcome(Verdict.MISMATCH,
                           f"the console exceeded {scenario.max_console_bytes} bytes, so the guest "
                           "was stopped (printing in a loop?)",
                           _join(_head(console), _tail(console)))
    if result.end == "xl-failed":
        return run.outcome(Verdict.UNEXPECTED_CRASH,
                           "Xen's toolstack could not create or run the domain; its messages below "
                           "say why (a missing or wrong ELF note is a common cause)",
                           _join(_host_said(result) or "(xl printed nothing)",
                                 _tail(console) if console else ""))
    refused = next((step for step in result.dom0 if step.how == "refused"), None)
    if refused is not None:
        # ping missing from dom0, or a vif that is not there: the host's fault, not the kernel's.
        return run.outcome(Verdict.HOST_ERROR, f"the test host failed, not your kernel: {refused.trouble}",
                           _tail(console))
    return None


def _against_transcript(run: _Run, compared: _Comparison) -> Outcome:
    """The outcome of a run that ended by itself, decided by the transcript and expect_end."""
    scenario, result, end = run.scenario, run.result, run.end
    trouble = step_trouble(result)
    diff = compared.diff
    if end == "crash" and scenario.expect_end == "shutdown":
        return run.outcome(Verdict.UNEXPECTED_CRASH, _unexpected_crash_summary(result, compared),
                           _join("\n".join(result.xen_said), diff, _tail(run.console), _host_said(result)),
                           diff=diff, first_difference=compared.line)
    if trouble:
        # Said before the diff: the diff then only shows the stopped tool's header and output.
        return run.outcome(Verdict.MISMATCH, trouble, _join(diff, _tail(run.console), _host_said(result)),
                           diff=diff, first_difference=compared.line)
    if diff:
        note = ""
        if end != scenario.expect_end:
            note = f"The guest also ended with {end}, expected {scenario.expect_end}."
        summary = compared.what_differs
        if result.xen_phrase:
            # A stage that is meant to crash (01-03), killed by Xen before its own report: the
            # console stops early, and Xen's log says why.
            summary += f"; the guest crashed without a report of its own, Xen's log: {result.xen_phrase}"
        return run.outcome(Verdict.MISMATCH, summary,
                           _join("\n".join(result.xen_said), diff, note, _host_said(result)),
                           diff=diff, first_difference=compared.line)
    if end != scenario.expect_end:
        return run.outcome(Verdict.MISMATCH,
                           f"console matched but the guest ended with {end}, "
                           f"expected {scenario.expect_end}",
                           _join(_tail(run.console), _host_said(result)))
    return run.outcome(Verdict.PASS,
                       f"console matched ({compared.console_lines} lines), ended with {end} as expected")


def _unexpected_crash_summary(result: RunResult, compared: _Comparison) -> str:
    summary = "the guest crashed, but this stage should shut down cleanly"
    if result.xen_phrase:
        # The kernel printed no report of its own; Xen's log says what happened.
        return summary + f"; Xen's log: {result.xen_phrase}"
    if compared.diff:
        return summary + f"; {compared.what_differs}"
    return summary
