"""The transcript blocks of dom0 steps, and the verdict on a tool that had to be stopped."""
from pathlib import Path

from checker.dom0_steps import Dom0Step, transcript
from checker.run_result import RunResult
from checker.spec import Rule, Scenario
from checker.verdict import Verdict, judge, step_trouble

PING = ("ping", "-c", "2", "10.99.0.2")
PING_OUT = b"PING 10.99.0.2 (10.99.0.2) 56(84) bytes of data.\n64 bytes from 10.99.0.2: icmp_seq=1 ttl=64 time=1.62 ms\n"


def scenario(**changes) -> Scenario:
    values = dict(stage="08-ping", name="boot", kernel="kernel.elf", memory_mb=32, timeout_s=30.0,
                  expect_end="shutdown", cmdline="net", transcript=Path("/t.txt"), inputs=(), rules=(),
                  max_console_bytes=262144, vif=True)
    values.update(changes)
    return Scenario(**values)


def ping(**changes) -> Dom0Step:
    values = dict(kind="dom0", argv=PING, output=PING_OUT, rc=0, how="exit", timeout_s=60.0)
    values.update(changes)
    return Dom0Step(**values)


def test_a_tool_block_is_its_command_exit_code_and_output():
    assert ping().block().decode().splitlines() == [
        "--- dom0: ping -c 2 10.99.0.2 (exit 0) ---",
        "PING 10.99.0.2 (10.99.0.2) 56(84) bytes of data.",
        "64 bytes from 10.99.0.2: icmp_seq=1 ttl=64 time=1.62 ms"]


def test_an_argument_with_a_space_is_quoted_in_the_header():
    assert ping(argv=("ping", "-p", "a b")).header() == "--- dom0: ping -p 'a b' (exit 0) ---"


def test_stopped_tools_say_why_in_their_header():
    assert ping(how="timeout", rc=1, timeout_s=5).header().endswith("(stopped after 5 s, exit 1) ---")
    assert ping(how="guest-ended", rc=130).header().endswith("(stopped when the guest ended, exit 130) ---")
    assert ping(how="refused", rc=None, problem="/bin/ping is not installed in dom0").header().endswith(
        "(did not start: /bin/ping is not installed in dom0) ---")


def test_a_frames_block_counts_the_frames_and_names_a_refused_one():
    sent = Dom0Step("frames", corpus="malformed", how="sent", sent=57, total=57)
    assert sent.block() == b'--- dom0: sent 57 frames of corpus "malformed" ---\n'
    partly = Dom0Step("frames", corpus="malformed", how="sent", sent=56, total=57, failed_index=1,
                      failed_why="Invalid argument", frame_names=("ok", "runt"))
    assert partly.header() == ('--- dom0: sent 56 of 57 frames of corpus "malformed" '
                               '(frame 1 "runt" refused: Invalid argument) ---')


def test_the_transcript_is_the_console_then_each_block_in_order():
    frames = Dom0Step("frames", corpus="c", how="sent", sent=1, total=1)
    text = transcript(b"net: ready, ping me", [ping(), frames])
    assert text.startswith(b"net: ready, ping me\n--- dom0: ping")  # a line of its own
    assert text.endswith(b'--- dom0: sent 1 frames of corpus "c" ---\n')
    assert transcript(b"no steps", []) == b"no steps"


def test_a_run_with_matching_blocks_passes_with_rules_for_pings_times():
    rules = (Rule(r"time=[0-9.]+ ms", "time=<rtt> ms", "ping's round trip varies"),)
    expected = ("net: ready, ping me\n--- dom0: ping -c 2 10.99.0.2 (exit 0) ---\n"
                "PING 10.99.0.2 (10.99.0.2) 56(84) bytes of data.\n"
                "64 bytes from 10.99.0.2: icmp_seq=1 ttl=64 time=<rtt> ms\n")
    result = RunResult(b"net: ready, ping me\r\n", "poweroff", 3.0, dom0=[ping(output=PING_OUT.replace(b"1.62", b"9.9"))])
    outcome = judge(scenario(rules=rules), expected, result)
    assert outcome.verdict is Verdict.PASS, outcome.summary
    assert "--- dom0: ping" in outcome.console


def test_a_tool_stopped_at_its_timeout_is_a_mismatch_that_says_so():
    result = RunResult(b"net: ready, ping me\n", "poweroff", 3.0, dom0=[ping(how="timeout", rc=1, timeout_s=60)])
    outcome = judge(scenario(), "net: ready, ping me\n" + ping().block().decode(), result)
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.summary == ("dom0's `ping -c 2 10.99.0.2` did not end within 60 s and was stopped "
                               "(did the guest stop answering?)")
    assert "-- dom0: ping -c 2 10.99.0.2 (exit 0) ---" in outcome.details  # the diff shows it


def test_a_tool_still_running_when_the_guest_ended_is_a_mismatch_that_says_so():
    result = RunResult(b"bye\n", "poweroff", 3.0, dom0=[ping(how="guest-ended", rc=130)])
    outcome = judge(scenario(), "bye\n", result)
    assert outcome.verdict is Verdict.MISMATCH
    assert outcome.summary == "the guest ended while dom0's `ping -c 2 10.99.0.2` was still running"


def test_a_tool_dom0_could_not_start_is_a_host_error():
    result = RunResult(b"ready\n", "poweroff", 3.0,
                       dom0=[ping(how="refused", rc=None, output=b"", problem="/bin/ping is not installed in dom0")])
    outcome = judge(scenario(), "ready\n", result)
    assert outcome.verdict is Verdict.HOST_ERROR
    assert "not your kernel" in outcome.summary and "/bin/ping is not installed in dom0" in outcome.summary


def test_a_timeout_of_the_guest_mentions_the_tool_that_was_running():
    result = RunResult(b"ready\n", "timeout", 30.0, dom0=[ping(how="guest-ended", rc=130)])
    outcome = judge(scenario(), "ready\n", result)
    assert outcome.verdict is Verdict.TIMEOUT
    assert "was still running" in outcome.details


def test_step_trouble_is_empty_when_every_step_ended_by_itself():
    frames = Dom0Step("frames", corpus="c", how="sent", sent=3, total=3)
    assert step_trouble(RunResult(b"", "poweroff", 1.0, dom0=[ping(), frames])) == ""
