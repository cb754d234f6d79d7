"""The result directories: build/checker/<stage>/<scenario>/ holds one scenario's last run.

A grader (or a script) reads result.json there, so it must always describe *this* run: the
directory is emptied when the scenario's run starts, and a scenario that never reached the
host (its kernel did not build, its stage.toml is wrong, the host failed first) still gets a
result.json with its verdict, never the PASS of an earlier run.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .spec import Scenario
from .verdict import Outcome

RESULT_FILE = "result.json"


def scenario_dir(results_dir: Path, scenario: Scenario) -> Path:
    return results_dir / scenario.stage / scenario.name


def clear(directory: Path) -> None:
    """Empties `directory` (creating it), so that nothing of an earlier run is left in it."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def write_result(directory: Path, outcome: Outcome, **run: Any) -> Path:
    """Writes result.json: the verdict and summary, plus what the run observed (`run`).

    Outcomes of scenarios that were not booted carry their details (a build log, the spec's
    error) here, as there is no console or diff file to look at instead.
    """
    data: dict[str, Any] = {"scenario": outcome.scenario_id, "verdict": outcome.verdict.value,
                            "summary": outcome.summary}
    data.update(run)
    if not run:
        data["details"] = outcome.details
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / RESULT_FILE
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
