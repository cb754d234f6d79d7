"""The runner's network protocol against a scripted agent: NET, RUN vif=, TOOL, TOOLKILL, FRAMES."""
import time
from pathlib import Path

import pytest

from checker import network
from checker.errors import HostError
from checker.runner import Runner
from checker.spec import InputStep, Scenario
from checker.testhost.link import Message

READY = "net: ready, ping me"
PING = ("ping", "-c", "2", "10.99.0.2")


def scenario(tmp_path: Path, **changes) -> Scenario:
    fields = dict(stage="08-ping", name="boot", kernel="kernel.elf", memory_mb=32, timeout_s=5.0,
                  expect_end="shutdown", cmdline="net", transcript=tmp_path / "expected.txt", inputs=(),
                  rules=(), max_console_bytes=100000, vif=True)
    fields.update(changes)
    return Scenario(**fields)


def con(ms: int, text: str) -> Message:
    return Message("CON", [str(ms), text.encode().hex()])


def hexed(text: str) -> str:
    return text.encode().hex()


class ScriptedAgent:
    """Answers each command with what `script[command word]` returns for its words."""

    def __init__(self, **script):
        self.script = script
        self.sent: list[tuple[str, ...]] = []
        self.queue: list[Message] = []
        self.closed = False

    def send(self, *words: str) -> None:
        self.sent.append(words)
        answer = self.script.get(words[0])
        if answer is not None:
            self.queue += answer(*words[1:])

    def recv(self, timeout: float):
        return self.queue.pop(0) if self.queue else None

    def commands(self, word: str) -> list[tuple[str, ...]]:
        return [s for s in self.sent if s[0] == word]


class Host:
    def __init__(self, link):
        self.link = link
        self.accel_reason, self.xen_version, self.boot_seconds = "fake", "4.17", 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def kernel_path(self, name: str) -> str:
        return f"/stages/{name}.x"

    def serial_tail(self, lines: int = 25) -> str:
        return "(serial tail)"


def net_ok(*words):
    return [Message("NET", ["180", "made"])]


def end(ms=900):
    return Message("END", ["poweroff", str(ms)])


def ping_replies(tool_id, hex_argv):
    return [Message("TOOLOUT", [tool_id, hexed("PING 10.99.0.2\n")]),
            Message("TOOLOUT", [tool_id, hexed("2 received\n")]),
            Message("TOOLRC", [tool_id, "0", "exit"])]


def test_a_networked_run_sets_up_the_bridge_once_and_asks_for_the_vif(tmp_path):
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [end()])
    runner = Runner(Host(agent), tmp_path, log=lambda _: None)
    runner.execute(scenario(tmp_path), "08-ping-kernel")
    runner.execute(scenario(tmp_path), "08-ping-kernel")
    assert agent.commands("NET") == [network.NET_COMMAND]
    assert runner.net_seconds == pytest.approx(0.18)
    run = agent.commands("RUN")[0]
    assert run[-1] == "vif=" + hexed("bridge=xenbr0,mac=00:16:3e:63:00:02,ip=10.99.0.2")


def test_a_run_without_vif_never_touches_the_network(tmp_path):
    agent = ScriptedAgent(RUN=lambda *w: [end()])
    Runner(Host(agent), tmp_path).execute(scenario(tmp_path, vif=False), "k")
    assert agent.commands("NET") == []
    assert not any(w.startswith("vif=") for w in agent.commands("RUN")[0])


def test_a_vif_spec_given_by_the_caller_replaces_the_stage_guests(tmp_path):
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [end()])
    spec = network.vif_spec("00:16:3e:63:00:03", "10.99.0.3")
    Runner(Host(agent), tmp_path).execute(scenario(tmp_path), "linux", ramdisk="initrd", vif=spec)
    assert agent.commands("RUN")[0][-2:] == ("ramdisk=/stages/initrd.x", "vif=" + hexed(spec))


def test_a_bridge_dom0_cannot_make_is_a_host_error(tmp_path):
    agent = ScriptedAgent(NET=lambda *w: [Message("ERR", [hexed("creating bridge xenbr0: Operation not permitted")])])
    with pytest.raises(HostError, match="could not set up guest networking: creating bridge"):
        Runner(Host(agent), tmp_path).execute(scenario(tmp_path), "k")


def test_a_dom0_step_runs_its_tool_by_absolute_path_and_keeps_its_output(tmp_path):
    steps = (InputStep(READY, dom0=PING), InputStep(READY, send="quit\r"))
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\r\n")], TOOL=ping_replies,
                          INPUT=lambda *w: [con(9, "bye\r\n"), end()])
    result = Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    [(tool_id, argv)] = [s[1:] for s in agent.commands("TOOL")]
    assert bytes.fromhex(argv).split(b"\0") == [b"/bin/ping", b"-c", b"2", b"10.99.0.2"]
    [step] = result.dom0
    assert (step.how, step.rc, step.output) == ("exit", 0, b"PING 10.99.0.2\n2 received\n")
    assert agent.sent.index(("TOOL", tool_id, argv)) < agent.sent.index(("INPUT", hexed("quit\r")))
    assert result.transcript().decode().splitlines() == [
        READY, "bye", "--- dom0: ping -c 2 10.99.0.2 (exit 0) ---", "PING 10.99.0.2", "2 received"]


def test_the_next_step_waits_for_the_tool_to_end(tmp_path):
    # The console already shows the next step's prompt, but the ping has not ended yet.
    steps = (InputStep(READY, dom0=PING), InputStep(READY, send="quit\r"))
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n"), con(6, "more\n")],
                          TOOL=lambda tid, argv: [con(7, "still\n"), Message("TOOLRC", [tid, "0", "exit"])],
                          INPUT=lambda *w: [end()])
    Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    words = [s[0] for s in agent.sent]
    assert words == ["NET", "RUN", "TOOL", "INPUT"]


def test_a_tool_past_its_timeout_is_killed_and_reported(tmp_path):
    steps = (InputStep(READY, dom0=PING, timeout_s=0.2),)
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")], TOOL=lambda *w: [],
                          TOOLKILL=lambda tid: [Message("TOOLOUT", [tid, hexed("summary\n")]),
                                                Message("TOOLRC", [tid, "1", "killed"]), end()])
    t0 = time.monotonic()
    result = Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    assert time.monotonic() - t0 >= 0.2
    [step] = result.dom0
    assert (step.how, step.rc, step.output) == ("timeout", 1, b"summary\n")
    assert ("KILL",) not in agent.sent  # only the tool was stopped, not the guest


def test_a_tool_that_is_never_reported_stopped_is_a_host_error(tmp_path):
    steps = (InputStep(READY, dom0=PING, timeout_s=0.1),)
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")], TOOL=lambda *w: [],
                          TOOLKILL=lambda tid: [])
    import checker.runner
    old, checker.runner.TOOL_KILL_GRACE_S = checker.runner.TOOL_KILL_GRACE_S, 0.1
    try:
        with pytest.raises(HostError, match=r"did not report the end of `ping -c 2 10.99.0.2`"):
            Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    finally:
        checker.runner.TOOL_KILL_GRACE_S = old


def test_a_tool_the_agent_refuses_is_kept_as_refused(tmp_path):
    steps = (InputStep(READY, dom0=PING), InputStep(READY, send="quit\r"))
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")],
                          TOOL=lambda tid, argv: [Message("TOOLERR", [tid, hexed("/bin/ping is not installed in dom0")])],
                          INPUT=lambda *w: [end()])
    result = Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    assert (result.dom0[0].how, result.dom0[0].problem) == ("refused", "/bin/ping is not installed in dom0")
    assert agent.commands("INPUT")  # the run went on


def test_a_tool_stopped_by_the_guests_end(tmp_path):
    steps = (InputStep(READY, dom0=PING),)
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")],
                          TOOL=lambda tid, argv: [Message("TOOLRC", [tid, "130", "guest-ended"]), end()])
    result = Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    assert (result.dom0[0].how, result.dom0[0].rc) == ("guest-ended", 130)


def test_a_frames_step_sends_the_corpus_payload_and_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(network, "corpora", lambda: {"malformed": lambda *a: [("ok", b"x" * 20), ("runt", b"y")]})
    steps = (InputStep(READY, send_frames="malformed"), InputStep(READY, send="quit\r"))
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")],
                          FRAMES=lambda fid, path: [Message("FRAMES", [fid, "1", "2", "1", hexed("Invalid argument")])],
                          INPUT=lambda *w: [end()])
    result = Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    [(_, path)] = [s[1:] for s in agent.commands("FRAMES")]
    assert path == "/stages/frames-malformed.x"
    [step] = result.dom0
    assert (step.sent, step.total, step.failed_index, step.failed_why) == (1, 2, 1, "Invalid argument")
    assert step.header() == '--- dom0: sent 1 of 2 frames of corpus "malformed" (frame 1 "runt" refused: Invalid argument) ---'


def test_late_messages_of_an_earlier_step_are_ignored(tmp_path):
    steps = (InputStep(READY, dom0=PING), InputStep(READY, dom0=PING))
    replies = iter([lambda tid: [Message("TOOLRC", [tid, "0", "exit"]), Message("TOOLOUT", [tid, hexed("late\n")])],
                    lambda tid: [Message("TOOLRC", [tid, "0", "exit"]), end()]])
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")], TOOL=lambda tid, argv: next(replies)(tid))
    result = Runner(Host(agent), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    assert [s.output for s in result.dom0] == [b"", b""]
    assert len({s[1] for s in agent.commands("TOOL")}) == 2  # each step its own id


def test_each_steps_raw_output_is_kept_in_the_result_directory(tmp_path):
    steps = (InputStep(READY, dom0=PING),)
    sc = scenario(tmp_path, inputs=steps)
    sc.transcript.write_text(READY + "\n")
    agent = ScriptedAgent(NET=net_ok, RUN=lambda *w: [con(5, READY + "\n")],
                          TOOL=lambda tid, argv: ping_replies(tid, argv) + [end()])
    Runner(Host(agent), tmp_path / "results", log=lambda _: None).run(sc, "k")
    kept = tmp_path / "results" / "08-ping" / "boot"
    assert (kept / "dom0-1-ping.txt").read_bytes().endswith(b"PING 10.99.0.2\n2 received\n")
    assert "--- dom0: ping -c 2 10.99.0.2 (exit 0) ---" in (kept / "console.txt").read_text()
    assert (kept / "console.raw.txt").read_text() == READY + "\n"  # the guest's console only
