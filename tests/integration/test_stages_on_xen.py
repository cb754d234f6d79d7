"""Every stage, booted on real Xen in the embedded test host, must match its transcript.

One checker run (one boot of the test host) serves all stages; each scenario is then its own
test, failing with the checker's summary and details (diff, last console lines, build log).
The build tree is the one ctest runs in: UNIGORNEL_BUILD_DIR.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from checker.spec import discover  # noqa: E402

BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
SCENARIOS = [sc.id for stage in discover(REPO / "stages") for sc in stage.scenarios]


@pytest.fixture(scope="session")
def checker_results():
    report = BUILD_DIR / "checker" / "integration.json"
    report.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, "-m", "checker", "--build-dir", str(BUILD_DIR), "run",
                           "--json", str(report)], cwd=REPO, text=True, capture_output=True)
    print(proc.stdout)
    print(proc.stderr, file=sys.stderr)
    assert report.exists(), f"the checker wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    data = json.loads(report.read_text())
    return {r["scenario_id"]: r for r in data["results"]}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_stage_passes_on_xen(checker_results, scenario):
    assert scenario in checker_results, f"{scenario} was not run"
    result = checker_results[scenario]
    assert result["verdict"] == "PASS", f"{result['verdict']}: {result['summary']}\n{result['details']}"
