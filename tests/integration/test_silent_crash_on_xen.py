"""A kernel that Xen kills without a word of its own gets Xen's account, read from the real host.

The broken kernel is made at test time and never committed (broken_kernel.py): stage 05 with
an unbounded recursion in kernel_main right after its start_info report (before the trap
table is installed), each call with a
512-byte local array.  The boot stack overflows into its guard page (boot.S:
boot_stack_guard); the kernel has no trap handler yet, and Xen could not have written the
fault's frame onto that stack anyway, so Xen crashes the domain and says so only in its log.  The verdict must be UNEXPECTED-CRASH with Xen's account:
the stack overflowed into boot_stack_guard, where the guest was, and Xen's lines.

The second broken kernel recurses the same way on a thread of its own, made right after the
scheduler: its stack comes from the kernel heap with a guard page below (kernel_stack.cpp), the
trap table is installed by then, but Xen cannot write the page fault's frame into the guard page
either; the verdict must say a thread's stack overflowed into its guard page.  The third is that
thread in stage 03, whose heap (and so the guarded thread stack) is an array inside the image.

Boots QEMU: run by ctest as xen.silent-crash, under the xen-test-host resource lock, and it
takes the checker's run lock on the build directory.  About 11 s of build, then one host boot, three times.
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
SCHED_LINE = '    kernel::sched::init();             // threads: the boot stack becomes thread 1 "main"\n'
RECURSE_ON_A_THREAD = RECURSE + '''static void* recurse_entry(void*) {
    recurse(0);
    return nullptr;
}

'''
THREAD_CALL = ('    kernel::sched::create("deep", recurse_entry, nullptr, 64 * 1024);\n'
               '    kernel::sched::yield();  // "deep" runs now and never gives the vCPU back\n')


def boot_variant(work: Path, after_line: str, insertion: str, before_main: str, stage_name: str = STAGE):
    elf = build_variant(work, stage_name, after_line, insertion, before_main=before_main)
    (stage, scenarios), = select(discover(REPO / "stages"), [f"{stage_name}/boot"])
    name = f"{stage_name}-overflowing-kernel"
    with RunLock(BUILD_DIR, True, print):
        img = image.build(BUILD_DIR / "testhost", print)
        with qemu.QemuXenHost(img, work / "host", {name: elf}, "auto", print) as host:
            outcome = Runner(host, work / "results", print).run(scenarios[0], name)
    print(text_report([outcome]))  # the report as `checker run` prints it, for the log
    return outcome


@pytest.fixture(scope="module")
def crash_outcome(tmp_path_factory):
    return boot_variant(tmp_path_factory.mktemp("overflowing-kernel"), REPORT_LINE, CALL, RECURSE)


@pytest.fixture(scope="module")
def thread_crash_outcome(tmp_path_factory):
    return boot_variant(tmp_path_factory.mktemp("overflowing-thread"), SCHED_LINE, THREAD_CALL, RECURSE_ON_A_THREAD)


@pytest.fixture(scope="module")
def thread_crash_outcome_03(tmp_path_factory):
    return boot_variant(tmp_path_factory.mktemp("overflowing-thread-03"), SCHED_LINE, THREAD_CALL,
                        RECURSE_ON_A_THREAD, "03-tls")


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


def test_a_thread_stack_overflow_is_named_too(thread_crash_outcome):
    assert thread_crash_outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert thread_crash_outcome.summary.endswith(
        "; Xen's log: a thread's kernel stack most likely overflowed into its guard page")
    details = thread_crash_outcome.details
    assert "in the kernel heap, where every thread's stack and system-call stack lives" in details
    assert "The guest was executing 0x" in details and "recurse" in details
    assert "(XEN) domain_crash_sync called from entry.S" in details


def test_a_thread_stack_overflow_in_stage_03s_heap_array_is_named_too(thread_crash_outcome_03):
    # Stage 03 is meant to crash (its Go runtime has no mmap yet), so the early end is a MISMATCH.
    assert thread_crash_outcome_03.verdict is Verdict.MISMATCH
    assert thread_crash_outcome_03.summary.endswith("; the guest crashed without a report of its own, Xen's log: "
                                                    "a thread's kernel stack most likely overflowed into its guard page")
    details = thread_crash_outcome_03.details
    assert "in the kernel heap (the array g_arena inside the image, 0x" in details
    assert "recurse" in details and "(XEN) domain_crash_sync called from entry.S" in details
