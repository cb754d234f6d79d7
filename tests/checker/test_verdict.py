"""judge() picks the right verdict and tells the student what went wrong."""
from pathlib import Path

import pytest

from checker.not_run import build_error, environment_error, host_error, spec_error
from checker.run_result import RunResult
from checker.spec import Rule, Scenario
from checker.verdict import QUOTE_CONTEXT, QUOTE_LIMIT, Verdict, end_name, judge

TRANSCRIPT = Path("/stages/01-link/expected-console.txt")
EXPECTED = "Hello from C++\nGo says hi\nbye\n"


def scenario(**changes) -> Scenario:
    values = dict(stage="01-link", name="boot", kernel="kernel.elf", memory_mb=32, timeout_s=30.0,
                  expect_end="shutdown", cmdline="", transcript=TRANSCRIPT, inputs=(), rules=(),
                  max_console_bytes=262144)
    values.update(changes)
    return Scenario(**values)


def run(console: bytes | str, end: str = "poweroff", **more) -> RunResult:
    if isinstance(console, str):
        console = console.encode()
    return RunResult(console=console, end=end, elapsed_s=1.5, **more)


def numbered(count: int) -> str:
    return "".join(f"line {n}\n" for n in range(1, count + 1))


def test_pass_when_console_and_end_match():
    outcome = judge(scenario(), EXPECTED, run(EXPECTED.replace("\n", "\r\n"), first_byte_s=0.2))
    assert outcome.verdict is Verdict.PASS
    assert outcome.summary == "console matched (3 lines), ended with shutdown as expected"
    assert outcome.scenario_id == "01-link"
    assert outcome.end == "shutdown"
    assert outcome.console == EXPECTED
    assert (outcome.elapsed_s, outcome.first_byte_s) == (1.5, 0.2)
    assert outcome.diff == "" and outcome.first_difference is None


def test_pass_for_an_expected_crash_with_values_that_vary_per_boot():
    expected = "domid 1\nmfn 0x1000\npanic\n"
    outcome = judge(scenario(expect_end="crash"), expected, run("domid 9\nmfn 0xabcdef\npanic\n", "crash"))
    assert outcome.verdict is Verdict.PASS
    assert outcome.summary.endswith("ended with crash as expected")


def test_stage_rules_apply_to_both_sides():
    rules = (Rule(r"heap at 0x[0-9a-f]+", "heap at <addr>"),)
    outcome = judge(scenario(rules=rules), "heap at 0x1000\n", run("heap at 0x2000\n"))
    assert outcome.verdict is Verdict.PASS
    assert outcome.console == "heap at <addr>\n"


def test_timeout_shows_the_last_console_lines():
    outcome = judge(scenario(timeout_s=12), EXPECTED, run(numbered(20), "timeout"))
    assert outcome.verdict is Verdict.TIMEOUT
    assert "neither shut down nor crashed within 12 s" in outcome.summary
    shown = outcome.details.splitlines()
    assert "  line 20" in shown and "  line 6" in shown
    assert "  line 5" not in shown


def test_timeout_with_a_silent_guest():
    outcome = judge(scenario(), EXPECTED, run(b"", "timeout"))
    assert outcome.verdict is Verdict.TIMEOUT
    assert outcome.details == "(the guest printed nothing)"


def test_output_limit_is_a_mismatch():
    outcome = judge(scenario(max_console_bytes=4096), EXPECTED, run("again\n" * 700, "output-limit"))
    assert outcome.verdict is Verdict.MISMATCH
    assert "exceeded 4096 bytes" in outcome.summary
    assert outcome.details.startswith("First 5 console lines:\n  again\n"), "where the flood began"
    assert "Last " in outcome.details, "and where it was stopped"
    assert "printing in a loop" in outcome.summary
    assert outcome.details.count("again") == 5 + 15, "the first 5 lines and the last 15"


def test_xl_failure_shows_what_xl_said():
    said = ["xc_dom_find_loader: no loader found", "libxl: cannot build the domain"]
    outcome = judge(scenario(), EXPECTED, run(b"", "xl-failed", host_messages=said))
    assert outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert "could not create or run the domain" in outcome.summary
    for message in said:
        assert message in outcome.details


def test_missing_transcript_asks_to_record_one():
    outcome = judge(scenario(name="trap-demo"), None, run("Hello\r\n"))
    assert outcome.verdict is Verdict.MISMATCH
    assert "python3 -m checker record 01-link/trap-demo" in outcome.summary
    assert "by eye" in outcome.summary
    assert outcome.details == "Hello\n"


def test_crash_instead_of_shutdown_with_a_matching_console():
    outcome = judge(scenario(), EXPECTED, run(EXPECTED, "crash"))
    assert outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert outcome.summary == "the guest crashed, but this stage should shut down cleanly"
    assert outcome.diff == ""
    assert "  bye" in outcome.details.splitlines()


def test_a_crash_the_kernel_did_not_report_gets_xens_account_first():
    said = ["Xen crashed the domain itself: ...", "Xen's log during this run:", "  (XEN) Domain 3 crashed"]
    outcome = judge(scenario(), EXPECTED, run("Hello from C++\n", "crash",
                                                xen_phrase="the stack overflowed into boot_stack_guard",
                                                xen_said=said))
    assert outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert outcome.summary == ("the guest crashed, but this stage should shut down cleanly; "
                               "Xen's log: the stack overflowed into boot_stack_guard")
    assert outcome.details.startswith("\n".join(said))
    assert "--- expected" in outcome.details, "the diff still follows"


def test_a_stage_meant_to_crash_that_xen_killed_early_is_a_mismatch_with_xens_account():
    said = ["The stack pointer 0x412ff8 is in the kernel heap ...", "Xen's log during this run:",
            "  (XEN) domain_crash_sync called from entry.S"]
    outcome = judge(scenario(expect_end="crash"), EXPECTED,
                    run("Hello from C++\n", "crash", xen_phrase="a thread's kernel stack most likely overflowed "
                                                               "into its guard page", xen_said=said))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.summary.endswith("; the guest crashed without a report of its own, Xen's log: a thread's "
                                    "kernel stack most likely overflowed into its guard page")
    assert outcome.details.startswith("\n".join(said)) and "--- expected" in outcome.details


def test_crash_instead_of_shutdown_with_a_different_console():
    outcome = judge(scenario(), EXPECTED, run("Hello from C++\nPAGE FAULT\n", "crash"))
    assert outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert "line 2 differs" in outcome.summary
    assert outcome.first_difference == 2
    assert "+PAGE FAULT" in outcome.diff
    assert outcome.diff in outcome.details


def test_different_line_gives_a_unified_diff_and_its_number():
    outcome = judge(scenario(), EXPECTED, run("Hello from C++\nGo says hello\nbye\n"))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.first_difference == 2
    assert outcome.summary == 'line 2 differs: expected "Go says hi", got "Go says hello"'
    assert outcome.diff.splitlines() == [
        f"--- expected ({TRANSCRIPT})",
        "+++ actual console (normalised)",
        "@@ -1,3 +1,3 @@",
        " Hello from C++",
        "-Go says hi",
        "+Go says hello",
        " bye",
    ]
    assert outcome.details.startswith(outcome.diff)


def test_console_that_ends_early():
    outcome = judge(scenario(), EXPECTED, run("Hello from C++\n"))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.first_difference == 2
    assert outcome.summary == 'the console ended early, after line 1; line 2 should be "Go says hi"'
    assert "-bye" in outcome.diff


def test_console_with_extra_lines():
    outcome = judge(scenario(), EXPECTED, run(EXPECTED + "unexpected\n"))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.first_difference == 4
    assert outcome.summary == 'the console has extra lines after line 3: "unexpected"'
    assert "+unexpected" in outcome.diff


def test_long_lines_are_shortened_in_the_summary():
    outcome = judge(scenario(), "a" * 300 + "\n", run("b" * 300 + "\n"))
    assert f'expected "{"a" * 97}...", got "{"b" * 97}..."' in outcome.summary
    assert "a" * 300 in outcome.diff


def test_a_late_difference_in_long_lines_is_shown_not_cut_off():
    # Two lines of 180 characters that differ only at character 150: cut at a fixed length
    # they would read as the same string.
    shared = "[syscall] mmap(" + "x" * 135
    want, got = shared + "0x1000) = 0" + "y" * 19, shared + "0x2000) = 0" + "y" * 19
    outcome = judge(scenario(), want + "\n", run(got + "\n"))
    summary = outcome.summary
    assert summary.startswith("line 1 differs: ")
    quoted = summary.split('expected "', 1)[1].split('", got "')
    expected_part, got_part = quoted[0], quoted[1].rstrip('"')
    assert expected_part != got_part
    assert expected_part.startswith("...") and got_part.startswith("...")
    assert "0x1000" in expected_part and "0x2000" in got_part
    # the window starts QUOTE_CONTEXT characters before the difference, both lines alike
    assert expected_part == "..." + want[len(shared) + 2 - QUOTE_CONTEXT:]
    assert len(expected_part) <= QUOTE_LIMIT and len(got_part) <= QUOTE_LIMIT


def test_a_long_window_is_cut_on_both_sides():
    want = "a" * 200 + "X" + "c" * 200
    got = "a" * 200 + "Y" + "c" * 200
    outcome = judge(scenario(), want + "\n", run(got + "\n"))
    expected_part = outcome.summary.split('expected "', 1)[1].split('"', 1)[0]
    assert expected_part == "..." + "a" * QUOTE_CONTEXT + "X" + "c" * (QUOTE_LIMIT - 6 - QUOTE_CONTEXT - 1) + "..."
    assert len(expected_part) == QUOTE_LIMIT


def test_a_long_line_against_a_short_one_shows_where_the_short_one_ends():
    want = "b" * 150
    outcome = judge(scenario(), want + "\n", run("b" * 120 + "\n"))
    assert outcome.summary == (f'line 1 differs: expected "...{"b" * 70}", '
                               f'got "...{"b" * QUOTE_CONTEXT}"')


def test_different_console_and_different_end_mentions_both():
    outcome = judge(scenario(expect_end="crash"), EXPECTED, run("nothing like it\n", "poweroff"))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.first_difference == 1
    assert "The guest also ended with shutdown, expected crash." in outcome.details


@pytest.mark.parametrize("end, expect_end, word", [
    ("poweroff", "crash", "shutdown"),
    ("reboot", "shutdown", "reboot"),
    ("reboot", "crash", "reboot"),
    ("watchdog", "crash", "watchdog"),
    ("destroyed", "shutdown", "destroyed"),
])
def test_matching_console_but_wrong_end(end, expect_end, word):
    outcome = judge(scenario(expect_end=expect_end), EXPECTED, run(EXPECTED, end))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.summary == f"console matched but the guest ended with {word}, expected {expect_end}"
    assert outcome.end == word


def test_build_error_keeps_the_log_tail():
    outcome = build_error("01-link", "main.cpp:3: error: expected ';'\n")
    assert outcome.verdict is Verdict.BUILD_ERROR
    assert outcome.scenario_id == "01-link"
    assert "did not build" in outcome.summary
    assert outcome.details == "main.cpp:3: error: expected ';'"


def test_later_scenarios_of_a_stage_refer_to_the_build_log_shown_once():
    outcome = build_error("01-link/trap-demo", "main.cpp:3: error: expected ';'\n", shown_with="01-link")
    assert outcome.verdict is Verdict.BUILD_ERROR
    assert outcome.summary == "the kernel did not build; its build log is shown under 01-link"
    assert outcome.details == ""


def test_a_machine_that_cannot_build_is_not_the_students_fault():
    outcome = environment_error("01-link", "cannot write to the build directory /b: it is full\nmore")
    assert outcome.verdict is Verdict.HOST_ERROR
    assert outcome.summary == ("this machine could not build it, not your kernel: "
                               "cannot write to the build directory /b: it is full")


def test_spec_error_carries_the_specs_message():
    outcome = spec_error("02-rt0", "/s/02-rt0/stage.toml: not valid TOML: ... (at line 3, column 12)\n")
    assert outcome.verdict is Verdict.SPEC_ERROR
    assert "stage.toml is wrong" in outcome.summary
    assert outcome.details.endswith("(at line 3, column 12)")


def test_host_error_says_it_is_not_the_students_fault():
    outcome = host_error("01-link/trap-demo", "QEMU exited early\nstderr: no KVM\n")
    assert outcome.verdict is Verdict.HOST_ERROR
    assert outcome.summary == "the test host failed, not your kernel: QEMU exited early"
    assert outcome.details == "QEMU exited early\nstderr: no KVM"


def test_verdict_values_are_the_report_words():
    assert [v.value for v in Verdict] == [
        "PASS", "MISMATCH", "UNEXPECTED-CRASH", "TIMEOUT", "BUILD-ERROR", "HOST-ERROR", "SPEC-ERROR",
        "MISSING"]
    assert Verdict.UNEXPECTED_CRASH == "UNEXPECTED-CRASH"


@pytest.mark.parametrize("end, name", [
    ("poweroff", "shutdown"), ("crash", "crash"), ("reboot", "reboot"), ("timeout", "timeout")])
def test_end_name_speaks_stage_toml_words(end, name):
    # `checker record` decides with this too, so it must map poweroff and leave the rest alone.
    assert end_name(end) == name


LAB_PANIC = ('*** KERNEL PANIC: lab: FutexTable::add is yours to write (kernel/futex_table.cpp; book chapter '
             '05-futex, "Build it yourself")')


def test_an_unexpected_crash_names_the_kernels_own_report_before_the_first_difference():
    # The console diverges at the blank line before the report: the report is what says why.
    console = f"Hello from C++\n\n{LAB_PANIC}\n*** stopping the domain: SHUTDOWN_crash\n"
    outcome = judge(scenario(), EXPECTED, run(console, "crash"))
    assert outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert outcome.summary == ("the guest crashed, but this stage should shut down cleanly; the kernel reported "
                               f'"{LAB_PANIC[:QUOTE_LIMIT - 3]}..." (line 3); line 2 differs: expected '
                               '"Go says hi", got ""')


def test_a_program_killed_for_want_of_memory_is_named_as_out_of_memory():
    oom = ('*** OUT OF MEMORY: a page fault at vaddr 0x7eff00001000 needed a frame and none is left '
           '(thread 4 "goapp")')
    console = f"Hello from C++\n\n{oom}\n*** stopping the domain: SHUTDOWN_crash\n"
    outcome = judge(scenario(), EXPECTED, run(console, "crash"))
    assert outcome.verdict is Verdict.UNEXPECTED_CRASH
    assert 'the kernel reported "*** OUT OF MEMORY: a page fault at vaddr' in outcome.summary


def test_a_crash_report_the_transcript_expects_is_not_named():
    expected = "Hello\n*** CPU FAULT: page fault (#PF, vector 14)\n"
    outcome = judge(scenario(expect_end="crash"), expected,
                    run("Hello\n*** CPU FAULT: page fault (#PF, vector 14)\nrip 1\n", "crash"))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.summary == 'the console has extra lines after line 2: "rip 1"'


def test_a_mismatch_of_a_stage_meant_to_crash_names_the_other_report():
    expected = "Hello\n*** KERNEL PANIC: deadlock\n"
    outcome = judge(scenario(expect_end="crash"), expected,
                    run("Hello\n*** KERNEL PANIC: lab: pthread_cond_wait is yours to write\n", "crash"))
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.summary.startswith('the kernel reported "*** KERNEL PANIC: lab: pthread_cond_wait is yours '
                                      'to write" (line 2); line 2 differs: ')
