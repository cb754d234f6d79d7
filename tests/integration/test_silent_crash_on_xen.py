"""A kernel that Xen kills without a word of its own gets Xen's account, read from the real host.

The broken kernel is made at test time and never committed (broken_kernel.py): stage 05 with
an unbounded recursion in kernel_main right after its start_info report (before the trap
table is installed), each call with a
512-byte local array.  The boot stack overflows into its guard page (boot.S:
boot_stack_guard); the kernel has no trap handler yet, and Xen could not have written the
fault's frame onto that stack anyway, so Xen crashes the domain and says so only in its log.  The verdict must be UNEXPECTED-CRASH with Xen's account:
the stack overflowed into boot_stack_guard, where the guest was, and Xen's lines.

Boots QEMU: run by ctest as xen.silent-crash, under the xen-test-host resource lock, and it
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
from checker.report import text_report  # noqa: E402
from checker.runlock import RunLock  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.selection import select  # noqa: E402
from checker.spec import discover  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402
from checker.verdict import Verdict  # noqa: E402

BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
STAGE = "05-futex"
RECURSE = '''
// Overflows the boot stack on purpose (the integration test's broken kernel).
__attribute__((noinline)) static unsigned long recurse(unsigned long depth) {
    volatile char frame[512];
    frame[0] = static_cast<char>(depth);
    return recurse(depth + 1) + frame[0];
}

'''
CALL = "    printf(\"depth %lu\\n\", recurse(0));  // never returns\n"


@pytest.fixture(scope="module")
def crash_outcome(tmp_path_factory):
    work = tmp_path_factory.mktemp("overflowing-kernel")
    elf = build_variant(work, STAGE, REPORT_LINE, CALL, before_main=RECURSE)
    (stage, scenarios), = select(discover(REPO / "stages"), [f"{STAGE}/boot"])
    with RunLock(BUILD_DIR, True, print):
        img = image.build(BUILD_DIR / "testhost", print)
        with qemu.QemuXenHost(img, work / "host", {"05-overflowing-kernel": elf}, "auto", print) as host:
            outcome = Runner(host, work / "results", print).run(scenarios[0], "05-overflowing-kernel")
    print(text_report([outcome]))  # the report as `checker run` prints it, for the log
    return outcome


def test_the_verdict_says_the_stack_overflowed_into_its_guard_page(crash_outcome):
    assert crash_outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert crash_outcome.summary.endswith("; Xen's log: the stack overflowed into boot_stack_guard")


def test_the_details_explain_and_show_xens_own_lines(crash_outcome):
    details = crash_outcome.details
    assert "and had no handler registered for it yet" in details
    assert "is in boot_stack_guard, the unmapped page kept below that stack" in details
    assert "The guest was executing 0x" in details and "recurse" in details
    assert "Xen's log during this run:" in details
    assert "(XEN) domain_crash_sync called from entry.S" in details
