"""A kernel that floods its console gets its own verdict, fast, and the next run is unaffected.

The flooding kernel is made at test time and never committed (broken_kernel.py): stage 05
printing "flood line N: ..." in an endless loop right after its start_info report.  Two
scenarios of it run back to back on one test host with the stage's own limits (its
max_console_bytes), then stage 05 as committed.  Each flood must end as MISMATCH "the console
exceeded ... bytes", within a few seconds of starting, with the first and last lines shown;
the committed stage must still PASS after them (the host was not harmed).

Boots QEMU: run by ctest as xen.console-flood, under the xen-test-host resource lock, and it
takes the checker's run lock on the build directory.  About 11 s of build, then one host boot.
"""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from broken_kernel import REPORT_LINE, build_variant  # noqa: E402
from checker import build  # noqa: E402
from checker.report import text_report  # noqa: E402
from checker.runlock import RunLock  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402
from checker.verdict import Verdict  # noqa: E402

BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
STAGE = "05-futex"
FLOOD = ('    for (unsigned long i = 0;; i++)  // floods on purpose\n'
         '        printf("flood line %lu: the quick brown fox jumps over the lazy dog\\n", i);\n')


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    work = tmp_path_factory.mktemp("flooding-kernel")
    elf = build_variant(work, STAGE, REPORT_LINE, FLOOD)
    (stage, scenarios), = select(discover(REPO / "stages"), [f"{STAGE}/boot"])
    good = build.kernel_path(BUILD_DIR, STAGE, "kernel.elf")
    assert good.exists(), f"{good} is not built: run cmake --build {BUILD_DIR}"
    with RunLock(BUILD_DIR, True, print):
        img = image.build(BUILD_DIR / "testhost", print)
        payload = {"05-flooding-kernel": elf, "05-kernel": good}
        with qemu.QemuXenHost(img, work / "host", payload, "auto", print) as host:
            runner = Runner(host, work / "results", print)
            runs = [runner.run(scenarios[0], "05-flooding-kernel"), runner.run(scenarios[0], "05-flooding-kernel"),
                    runner.run(scenarios[0], "05-kernel")]
    print(text_report(runs))
    return scenarios[0], runs


def test_each_flood_is_a_mismatch_at_the_bound_within_seconds(outcomes):
    scenario, runs = outcomes
    for flood in runs[:2]:
        assert flood.verdict is Verdict.MISMATCH
        assert flood.summary.startswith(f"the console exceeded {scenario.max_console_bytes} bytes")
        assert flood.elapsed_s < 10, f"the flood ran {flood.elapsed_s:.1f} s before it was stopped"
        assert "flood line 0: the quick brown fox" in flood.console
        assert "First 5 console lines:" in flood.details and "Last " in flood.details


def test_the_committed_stage_still_passes_after_the_floods(outcomes):
    _, runs = outcomes
    assert runs[2].verdict is Verdict.PASS, runs[2].summary
