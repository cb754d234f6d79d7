"""`checker debug`'s pieces without QEMU: which gdb packets let the machine run, the relay
between gdb's TCP connection and QEMU's unix socket, and the session's steps with the agent
(created paused, unpaused at gdb's first continue, destroyed when gdb leaves)."""
import io
import socket
import threading
from pathlib import Path

import pytest

from checker import cli, debug
from checker.errors import HostError
from checker.testhost.link import Message
from test_runner import FakeLink, con


@pytest.mark.parametrize("packet", [b"$c#63", b"$vCont;c#a8", b"$vCont;s:1#23", b"+$s#73", b"$C05#a8"])
def test_packets_that_run_the_machine(packet):
    assert debug.lets_it_run(packet)


@pytest.mark.parametrize("packet", [b"$vCont?#49", b"$qSupported:multiprocess+#c6", b"$g#67", b"$m4460,4#9b",
                                    b"$Z1,4460,1#b3", b"+"])
def test_packets_that_only_ask_or_set(packet):
    assert not debug.lets_it_run(packet)


def test_the_commands_file_loads_symbols_connects_and_says_hbreak(tmp_path):
    text = debug.gdb_commands(tmp_path / "kernel.debug.elf", 4321, "kernel_main")
    lines = text.splitlines()
    assert f"file {tmp_path / 'kernel.debug.elf'}" in lines
    assert "target remote 127.0.0.1:4321" in lines
    # Go's .debug_gdb_scripts names a helper that is not installed: gdb would warn at `file`.
    assert lines.index("set auto-load python-scripts off") < lines.index(f"file {tmp_path / 'kernel.debug.elf'}")
    assert "hbreak kernel_main" in text


class FakeQemu:
    """QEMU's gdb socket: records what arrives and answers each packet with "+$OK#9a"."""

    def __init__(self, path: Path):
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.got = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            while data := conn.recv(4096):
                self.got += data
                conn.sendall(b"+$OK#9a")


def test_the_relay_carries_both_ways_and_sees_the_first_continue_and_the_end(tmp_path):
    qemu = FakeQemu(tmp_path / "gdb.sock")
    relay = debug.Relay(tmp_path / "gdb.sock", 0).start()
    try:
        gdb = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        assert relay.connected.wait(5)
        gdb.sendall(b"$qSupported#37")
        assert gdb.recv(100) == b"+$OK#9a"
        assert not relay.running.is_set()
        gdb.sendall(b"$vCont;c#a8")
        assert gdb.recv(100) == b"+$OK#9a"
        assert relay.running.wait(5)
        gdb.close()
        assert relay.left.wait(5)
        assert qemu.got == b"$qSupported#37$vCont;c#a8" and relay.problem == ""
    finally:
        relay.close()


def test_a_relay_without_qemu_says_so(tmp_path):
    relay = debug.Relay(tmp_path / "nobody.sock", 0).start()
    try:
        socket.create_connection(("127.0.0.1", relay.port), timeout=5).close()
        assert relay.left.wait(5)
        assert "the connection to QEMU's gdb server failed" in relay.problem
    finally:
        relay.close()


class ScriptedRelay:
    """The relay as the session sees it: gdb lets the machine run at once, and leaves once
    the guest's console has been read."""

    def __init__(self):
        self.port = 1234
        self.problem = ""
        self.running = threading.Event()
        self.left = threading.Event()
        self.running.set()

    def start(self):
        return self


class LeavingLink(FakeLink):
    """An agent whose guest prints a line; gdb leaves when nothing more is queued."""

    def __init__(self, relay_holder: list, end: bool):
        super().__init__(on_run=[con(5, "hello from the guest\n")] + ([Message("END", ["crash", "900"])] if end else []))
        self.holder = relay_holder

    def recv(self, timeout):
        if not self.queue and any(w[0] == "SH" for w in self.sent):
            self.holder[0].left.set()
        return super().recv(timeout)


FIELDS = ["RUN", "03-tls-1", "/stages/03-tls-kernel.elf", "32", "", "paused"]


def run_session(tmp_path, link, relay):
    """debug.session with what it logged and what it copied of the console."""
    said: list[str] = []
    console = io.BytesIO()
    status = debug.session(link, relay, FIELDS, "03-tls", tmp_path / "gdb-commands", said.append, console)
    return status, "\n".join(said), console.getvalue()


@pytest.mark.parametrize("ends", [False, True])
def test_the_session_unpauses_at_gdbs_continue_and_cleans_up_when_gdb_leaves(tmp_path, ends):
    holder = []
    link = LeavingLink(holder, ends)
    relay = ScriptedRelay()
    holder.append(relay)
    status, said, console = run_session(tmp_path, link, relay)
    assert status == 0
    sent = [w[0] for w in link.sent]
    assert link.sent[0] == tuple(FIELDS)
    assert link.sent[1] == ("SH", b"xl unpause 03-tls-1".hex())
    # A guest that is still there when gdb leaves is destroyed; one that ended is not.
    assert sent == (["RUN", "SH"] if ends else ["RUN", "SH", "KILL"])
    assert "03-tls is created and paused as domain 03-tls-1" in said
    assert f"gdb -q -x {tmp_path / 'gdb-commands'}" in said
    assert console == b"hello from the guest\n"
    if ends:
        assert "the guest ended (crash); quit gdb to end the session" in said
        assert "gdb left; the guest had ended (crash), and the test host is shut down" in said
    else:
        assert "gdb left; the domain was destroyed, and the test host is shut down" in said


def test_a_failed_unpause_is_said_and_the_guest_stays_paused(tmp_path):
    holder = []
    link = LeavingLink(holder, False)
    link.on_run.insert(0, Message("SHRC", ["1"]))
    relay = ScriptedRelay()
    holder.append(relay)
    status, said, _ = run_session(tmp_path, link, relay)
    assert status == 0
    assert "debug: xl unpause failed; the guest stays paused" in said


def test_gdb_not_yet_running_leaves_the_guest_paused(tmp_path):
    relay = ScriptedRelay()
    relay.running.clear()
    relay.left.set()  # gdb came and went without a continue
    link = FakeLink()
    status, said, _ = run_session(tmp_path, link, relay)
    assert status == 0
    assert [w[0] for w in link.sent] == ["RUN", "KILL"]
    assert "unpaused" not in said


def test_a_relay_that_failed_is_said_and_fails_the_session(tmp_path):
    relay = ScriptedRelay()
    relay.problem = "the connection to QEMU's gdb server failed: refused"
    relay.left.set()
    status, said, _ = run_session(tmp_path, FakeLink(), relay)
    assert status == 1
    assert "debug: the connection to QEMU's gdb server failed: refused" in said


def test_a_closed_agent_line_is_a_host_error(tmp_path):
    link = FakeLink()
    link.closed = True
    with pytest.raises(HostError, match="closed the agent line during the debug session"):
        run_session(tmp_path, link, ScriptedRelay())


def test_debug_takes_one_stage_and_only_the_test_host(tmp_path, capsys):
    assert cli.main(["debug"]) == 2
    assert "name one stage or scenario" in capsys.readouterr().err
    assert cli.main(["debug", "03-tls", "--backend", "xl"]) == 2
    assert "QEMU gdb server" in capsys.readouterr().err
