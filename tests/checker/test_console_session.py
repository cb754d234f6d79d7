"""checker/console_session.py: keys to the guest, its console to the terminal, Ctrl-] leaves."""
import io
import os

from checker.console_session import LEAVE_KEY, ConsoleSession, RawTerminal
from checker.testhost.link import Message


def con(ms: int, data: bytes) -> Message:
    return Message("CON", [str(ms), data.hex()])


class ScriptedLink:
    """Replies to RUN and INPUT with scripted messages; None (a timeout) when nothing is due."""

    def __init__(self, on_run, on_input=lambda keys: [], on_kill=()):
        self.sent, self.queue = [], []
        self.on_run, self.on_input, self.on_kill = list(on_run), on_input, list(on_kill)
        self.closed = False

    def send(self, *words):
        self.sent.append(words)
        if words[0] == "RUN":
            self.queue += self.on_run
        elif words[0] == "INPUT":
            self.queue += self.on_input(bytes.fromhex(words[1]))
        elif words[0] == "KILL":
            self.queue += self.on_kill

    def recv(self, timeout):
        return self.queue.pop(0) if self.queue else None


def keys(data: bytes) -> int:
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    return r


def test_console_reaches_the_terminal_and_the_guest_end_ends_the_session():
    link = ScriptedLink([con(1, b"hello\r\n"), Message("END", ["poweroff", "5"])])
    out = io.BytesIO()
    end = ConsoleSession(link, keys(b""), out).run(["RUN", "g", "/k", "32", ""])
    assert out.getvalue() == b"hello\r\n"
    assert end == "poweroff"


def test_keys_go_to_the_guest_byte_for_byte():
    typed = b"Gophre\x7f\x7fer\r\x04\x03"
    r, w = os.pipe()
    os.write(w, typed)
    link = ScriptedLink([con(1, b"name? ")],
                        on_input=lambda k: [con(2, b"ok\r\n"), Message("END", ["poweroff", "9"])])
    out = io.BytesIO()
    end = ConsoleSession(link, r, out).run(["RUN", "g", "/k", "32", ""])
    os.close(w)
    assert [bytes.fromhex(s[1]) for s in link.sent if s[0] == "INPUT"] == [typed]
    assert out.getvalue() == b"name? ok\r\n" and end == "poweroff"


def test_ctrl_bracket_leaves_sends_what_came_before_and_destroys_the_domain():
    link = ScriptedLink([con(1, b"name? ")], on_kill=[Message("END", ["destroyed", "50"])])
    end = ConsoleSession(link, keys(b"abc" + LEAVE_KEY + b"ignored"), io.BytesIO()).run(["RUN", "g", "/k", "32", ""])
    assert [bytes.fromhex(s[1]) for s in link.sent if s[0] == "INPUT"] == [b"abc"]
    assert ("KILL",) in link.sent
    assert end == "left"


def test_when_the_keys_end_the_console_is_still_shown_until_the_guest_ends():
    # stdin at its end (a pipe, /dev/null): nothing more can be typed, the guest runs on.
    link = ScriptedLink([con(1, b"tick\r\n"), Message("END", ["poweroff", "50"])])
    out = io.BytesIO()
    assert ConsoleSession(link, keys(b""), out).run(["RUN", "g", "/k", "32", ""]) == "poweroff"
    assert out.getvalue() == b"tick\r\n" and ("KILL",) not in link.sent


def test_raw_terminal_is_a_no_op_on_a_pipe():
    r = keys(b"")
    with RawTerminal(r) as t:
        assert t.saved is None


def test_keys_typed_before_the_guest_printed_anything_wait_for_its_first_output():
    link = ScriptedLink([], on_input=lambda k: [Message("END", ["poweroff", "9"])])
    r, w = os.pipe()
    os.write(w, b"early\r")
    session = ConsoleSession(link, r, io.BytesIO())
    link.on_run = []
    sent_before = []

    def recv(timeout, _queue=[con(1, b"boot\r\n")]):
        if not any(s[0] == "INPUT" for s in link.sent) and _queue:
            sent_before.extend(s for s in link.sent if s[0] == "INPUT")
            return _queue.pop(0)
        return link.queue.pop(0) if link.queue else None
    link.recv = recv
    assert session.run(["RUN", "g", "/k", "32", ""]) == "poweroff"
    os.close(w)
    assert sent_before == []  # nothing went out before the guest's first byte
    assert [bytes.fromhex(s[1]) for s in link.sent if s[0] == "INPUT"] == [b"early\r"]
