"""A hung kernel's TIMEOUT report says where it hung, read from the real test host.

The hung kernel is made here, at test time, and never committed: stage 05 as committed (git
archive of HEAD, so a half-edited working tree cannot change it), with a busy loop in
kernel_main right after its "running on Xen" line, built with CMake in a temporary directory.
It is booted through the checker's own Runner with an 8 s timeout; the report must then name
kernel_main as where vCPU 0 was, and xenctx's own output must be kept beside the console.

The second is a Go program that hangs: stage 06 with `case "spinhang"` calling a Go loop that
never makes a system call (06 has no preemption, so nothing interrupts it).  Go gives such a
leaf function no frame of its own; the report must name it, and name main.Main from the return
address at rsp.

Boots QEMU: run by ctest as xen.timeout-context, under the xen-test-host resource lock, and it
takes the checker's run lock on the build directory.  About 11 s of build, then one host boot, for each.
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


GO_STAGE = "06-hello"
GO_EDITS = (("go/main.go", '\tcase "panic":\n', '\tcase "spinhang":\n\t\tspinForever(0)\n\tcase "panic":\n'),
            ("go/main.go", "\n// A c-archive still needs a main function",
             "\n//go:noinline\nfunc spinForever(n int) int {\n\tfor {\n\t\tn++\n\t}\n}\n"
             "\n// A c-archive still needs a main function"))


def boot_hung(work: Path, stage: str, elf: Path, name: str, **changes):
    (_, scenarios), = select(discover(REPO / "stages"), [f"{stage}/boot"])
    scenario = dataclasses.replace(scenarios[0], timeout_s=8.0, **changes)
    with RunLock(BUILD_DIR, True, print):
        img = image.build(BUILD_DIR / "testhost", print)
        with qemu.QemuXenHost(img, work / "host", {name: elf}, "auto", print) as host:
            outcome = Runner(host, work / "results", print).run(scenario, name)
    print(text_report([outcome]))  # the report as `checker run` prints it, for the log
    return outcome, work / "results" / stage / scenario.name


@pytest.fixture(scope="module")
def hung_outcome(tmp_path_factory):
    work = tmp_path_factory.mktemp("hung-kernel")
    return boot_hung(work, STAGE, hung_kernel(work), "05-hung-kernel")


@pytest.fixture(scope="module")
def hung_go_outcome(tmp_path_factory):
    work = tmp_path_factory.mktemp("hung-go")
    elf = build_variant(work, GO_STAGE, "", "", edits=GO_EDITS)
    return boot_hung(work, GO_STAGE, elf, "06-hung-go", cmdline="spinhang")


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


def test_a_go_loop_is_named_with_its_caller(hung_go_outcome):
    outcome, _ = hung_go_outcome
    assert outcome.verdict is Verdict.TIMEOUT
    assert outcome.summary.endswith("; it was in main.spinForever")
    lines = outcome.details.splitlines()
    assert lines[1].startswith("  vCPU 0: rip 0x") and " main.spinForever" in lines[1]
    assert any(line.startswith("    called from 0x") and " main.Main+0x" in line
               and "keeps no frame of its own" in line for line in lines)
