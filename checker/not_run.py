"""The outcomes of scenarios that judge() (verdict.py) never saw run to their end.

A kernel that did not build (BUILD-ERROR), a machine or test host that failed (HOST-ERROR), a
stage.toml that is wrong (SPEC-ERROR), a submission without the stage (MISSING): `run`,
`record`, `console`, `debug` and `grade` all make these outcomes here, so that each says the
same thing wherever it comes from.
"""
from __future__ import annotations

from pathlib import Path

from .spec import Scenario
from .verdict import Outcome, Verdict


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "no details"


def _build_log(log_tail: str) -> str:
    return log_tail.rstrip() or "(the build printed nothing)"


# -- BUILD-ERROR -------------------------------------------------------------------------------

def build_error(scenario_id: str, log_tail: str, shown_with: str | None = None) -> Outcome:
    """The kernel did not build, so it was not run; the end of the build log is the details.

    shown_with: another scenario of the same stage whose outcome already carries the build
    log; a stage's scenarios share one build, and one log printed four times hides the rest.
    """
    if shown_with is not None:
        return Outcome(scenario_id, Verdict.BUILD_ERROR,
                       f"the kernel did not build; its build log is shown under {shown_with}")
    return Outcome(scenario_id, Verdict.BUILD_ERROR,
                   "the kernel did not build; the end of the build log is below", _build_log(log_tail))


def build_error_with_log_file(scenario_id: str, log_name: str, log_tail: str, shown_with: str | None) -> Outcome:
    """A stage that did not build, whose whole log is the file `log_name` (`checker grade`).

    As with build_error, the first of its scenarios carries the log's end and the others point
    at it (one build, one log); all of them name the file.
    """
    if shown_with is not None:
        return Outcome(scenario_id, Verdict.BUILD_ERROR,
                       f"the kernel did not build (as for {shown_with}); the log is {log_name}")
    return Outcome(scenario_id, Verdict.BUILD_ERROR, f"the kernel did not build; the log is {log_name}",
                   _build_log(log_tail))


def stopped_build(scenario_id: str, why: str, log_tail: str) -> Outcome:
    """A build stopped at one of its limits (time, disk), `why` saying which."""
    return Outcome(scenario_id, Verdict.BUILD_ERROR, f"the build was stopped: {why}", _build_log(log_tail))


def refused_build(scenario_id: str, why: str) -> Outcome:
    """A stage that was not even built (a submission's sources over their limit, say)."""
    return Outcome(scenario_id, Verdict.BUILD_ERROR, f"the stage was not built: {why}")


def kernel_too_big(scenario_id: str, kernel_name: str, size_mb: int, limit_mb: int) -> Outcome:
    """A kernel larger than the test host boots: every kernel is held in its memory."""
    return Outcome(scenario_id, Verdict.BUILD_ERROR,
                   f"the kernel {kernel_name} is {size_mb} MiB; at most {limit_mb} MiB "
                   "is booted (every kernel is held in the test host's memory)")


# -- HOST-ERROR, SPEC-ERROR, MISSING -----------------------------------------------------------

def environment_error(scenario_id: str, message: str) -> Outcome:
    """The build could not run because of this machine (a full or read-only build directory).

    A HOST-ERROR, like a broken test host: the student cannot fix it in their kernel.
    """
    return Outcome(scenario_id, Verdict.HOST_ERROR,
                   f"this machine could not build it, not your kernel: {_first_line(message)}", message.rstrip())


def host_error(scenario_id: str, message: str) -> Outcome:
    """The test host failed: say clearly that this is not the student's fault."""
    return Outcome(scenario_id, Verdict.HOST_ERROR,
                   f"the test host failed, not your kernel: {_first_line(message)}", message.rstrip())


def spec_error(scenario_id: str, message: str) -> Outcome:
    """The stage's stage.toml, or a file it names, is wrong; nothing was built or booted."""
    return Outcome(scenario_id, Verdict.SPEC_ERROR,
                   "the stage's stage.toml is wrong, so it was not run; the problem is below",
                   message.rstrip())


def missing(scenario: Scenario, looked_in: Path) -> Outcome:
    """`checker grade`: the submission has no directory for the scenario's stage."""
    return Outcome(scenario.id, Verdict.MISSING,
                   f"the submission has no {scenario.stage} (looked for {looked_in})")
