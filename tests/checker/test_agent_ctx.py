"""The agent's CTX command, on the real agent program with stand-ins for xl and xenctx.

The agent (checker/testhost/agent) is compiled here for this machine and talks over a pipe,
as on a lab machine (--line -).  xl and xenctx are small shell scripts that write down how they
were called, so the tests see that CTX pauses the domain before xenctx runs, passes the
checker's arguments and the domain id, and that a stuck xenctx is stopped in time.
"""
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from checker.testhost.image import agent_sources
from checker.testhost.link import AgentLink

FAKE_XL = """#!/bin/sh
echo "xl $*" >> "{dir}/calls"
case "$1" in
  create) echo $$ > "{dir}/create.pid"; while :; do sleep 0.05; done ;;  # -F: until destroyed
  domid) echo 7 ;;
  pause) ;;
  destroy) kill "$(cat "{dir}/create.pid")" ;;
esac
"""
FAKE_XENCTX = """#!/bin/sh
echo "xenctx $*" >> "{dir}/calls"
if [ -e "{dir}/stuck" ]; then sleep 30; fi
echo "rip: 0000000000001000"
echo "called with: $*"
"""


@pytest.fixture(scope="module")
def agent_binary(tmp_path_factory) -> Path:
    if shutil.which("g++") is None:
        pytest.skip("g++ is needed to compile the agent")
    out = tmp_path_factory.mktemp("agent") / "dom0_agent"
    # -O0: this test needs the protocol, not speed, and it compiles in a third of the time.
    subprocess.run(["g++", "-std=c++20", "-O0", "-o", str(out),
                    *(str(p) for p in agent_sources() if p.suffix == ".cpp")], check=True, capture_output=True)
    return out


class Agent:
    def __init__(self, binary: Path, work: Path, xenctx: Path):
        for name, text in (("xl", FAKE_XL), ("xenctx", FAKE_XENCTX)):
            (work / name).write_text(text.format(dir=work))
            (work / name).chmod(0o755)
        (work / "logs").mkdir()
        (work / "kernel.elf").write_bytes(b"")
        self.work = work
        self.proc = subprocess.Popen(
            [str(binary), "--line", "-", "--xl", str(work / "xl"), "--xenctx", str(xenctx),
             "--log-dir", str(work / "logs"), "--work", str(work / "run")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.link = AgentLink(self.proc.stdout.fileno(), self.proc.stdin.fileno())

    def reply(self, kind: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while (msg := self.link.recv(max(0.0, deadline - time.monotonic()))) is not None:
            if msg.kind == kind:
                return msg
        raise AssertionError(f"no @{kind} within {timeout} s")

    def calls(self) -> list[str]:
        path = self.work / "calls"
        return path.read_text().splitlines() if path.exists() else []

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


@pytest.fixture
def agent(agent_binary, tmp_path):
    a = Agent(agent_binary, tmp_path, tmp_path / "xenctx")
    yield a
    a.close()


def run_guest(agent: Agent) -> None:
    agent.link.send("RUN", "hung-1", str(agent.work / "kernel.elf"), "32", "")
    deadline = time.monotonic() + 10
    while not any(c.startswith("xl create") for c in agent.calls()):
        assert time.monotonic() < deadline, "the agent did not start xl create"
        time.sleep(0.02)


def ctx(agent: Agent, *args: str):
    agent.link.send("CTX", "\0".join(args).encode().hex())
    msg = agent.reply("CTX")
    # An empty output is an empty hex field, which the line's end drops.
    return int(msg.fields[0]), msg.fields[1], msg.text(2) if len(msg.fields) > 2 else ""


def test_ctx_with_no_guest_is_refused(agent):
    assert ctx(agent, "-a") == (-1, "refused", "no guest is running")


def test_ctx_pauses_the_guest_then_runs_xenctx_on_its_domid(agent):
    run_guest(agent)
    rc, how, out = ctx(agent, "-a", "-k", "0")
    assert (rc, how) == (0, "exit")
    assert out == "rip: 0000000000001000\ncalled with: -a -k 0 7\n"
    calls = agent.calls()
    assert calls.index("xl pause hung-1") < calls.index("xenctx -a -k 0 7")
    agent.link.send("KILL")
    assert agent.reply("END").fields[0] == "destroyed"


def test_a_stuck_xenctx_is_stopped_within_its_bound(agent):
    (agent.work / "stuck").touch()
    run_guest(agent)
    started = time.monotonic()
    rc, how, out = ctx(agent)
    assert how == "killed" and rc == 128 + 9
    assert 3.5 < time.monotonic() - started < 5.0  # the checker waits 5 s: the answer comes first
    agent.link.send("KILL")
    assert agent.reply("END").fields[0] == "destroyed"


def test_a_missing_xenctx_is_refused_with_its_path(agent_binary, tmp_path):
    missing = tmp_path / "no-such-xenctx"
    a = Agent(agent_binary, tmp_path, missing)
    try:
        run_guest(a)
        assert ctx(a) == (127, "refused", f"{missing} is not installed in dom0")
        assert not any(c.startswith("xl pause") for c in a.calls())
    finally:
        a.link.send("KILL")
        a.close()
