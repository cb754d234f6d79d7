"""A hung kernel's TIMEOUT report says where it hung, read from the real test host.

The hung kernel is made here, at test time, and never committed: stage 05 as committed (git
archive of HEAD, so a half-edited working tree cannot change it), with a busy loop in
kernel_main right after its "running on Xen" line, built with CMake in a temporary directory.
It is booted through the checker's own Runner with an 8 s timeout; the report must then name
kernel_main as where vCPU 0 was, and xenctx's own output must be kept beside the console.

Boots QEMU: run by ctest as xen.timeout-context, under the xen-test-host resource lock, and it
takes the checker's run lock on the build directory.  About 11 s of build, then one host boot.
"""
import dataclasses
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from checker.report import text_report  # noqa: E402
from checker.runlock import RunLock  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402
from checker.verdict import Verdict  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from broken_kernel import BANNER_LINE, build_variant  # noqa: E402

BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
STAGE = "05-futex"
# volatile: a loop without side effects may be removed by the compiler (C++ forward progress).
HANG = "    for (volatile unsigned long spin = 0;; spin = spin + 1) {}  // hung on purpose\n"


def hung_kernel(work: Path) -> Path:
    """Stage 05 from HEAD with a busy loop after the banner, built in `work`; its kernel.elf."""
    return build_variant(work, STAGE, BANNER_LINE, HANG)


@pytest.fixture(scope="module")
def hung_outcome(tmp_path_factory):
    work = tmp_path_factory.mktemp("hung-kernel")
    elf = hung_kernel(work)
    (stage, scenarios), = select(discover(REPO / "stages"), [f"{STAGE}/boot"])
    scenario = dataclasses.replace(scenarios[0], timeout_s=8.0)
    with RunLock(BUILD_DIR, True, print):
        img = image.build(BUILD_DIR / "testhost", print)
        with qemu.QemuXenHost(img, work / "host", {"05-hung-kernel": elf}, "auto", print) as host:
            outcome = Runner(host, work / "results", print).run(scenario, "05-hung-kernel")
    print(text_report([outcome]))  # the report as `checker run` prints it, for the log
    return outcome, work / "results" / STAGE / scenario.name


def test_the_timeout_report_names_kernel_main(hung_outcome):
    outcome, _ = hung_outcome
    assert outcome.verdict is Verdict.TIMEOUT
    assert outcome.summary.endswith("; it was in kernel_main")
    lines = outcome.details.splitlines()
    assert lines[0] == "where the guest was when it was stopped (read from dom0 with xenctx):"
    assert lines[1].startswith("  vCPU 0: rip 0x") and " kernel_main+0x" in lines[1]


def test_the_raw_xenctx_output_is_kept(hung_outcome):
    _, results = hung_outcome
    raw = (results / "xenctx.txt").read_text()
    assert "rip:" in raw and "Stack:" in raw
