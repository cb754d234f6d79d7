"""`python3 -m checker console STAGE[/SCENARIO]`: a person's own terminal on a guest's console.

The guest is started on the test host exactly as a scenario would be (same kernel, memory and
command line); what it prints is copied to the terminal as it arrives, and what the person
types goes to the guest's PV console through the agent's INPUT, byte for byte: the terminal is
put in raw mode, so Enter sends CR, Backspace sends DEL and ^C and ^D reach the guest as
themselves (the guest's own line discipline, from stage 07 on, does the rest).  Ctrl-] leaves,
as in telnet and `xl console`; the domain is destroyed then, and also when the session ends any
other way.  A stage without console input just shows its console live.
"""
from __future__ import annotations

import os
import select
import termios
import time
import tty
from typing import BinaryIO

LEAVE_KEY = b"\x1d"  # Ctrl-]
KILL_GRACE_S = 30.0


class ConsoleSession:
    def __init__(self, link, keys_fd: int, out: BinaryIO):
        self.link = link
        self.keys_fd = keys_fd
        self.out = out

    def run(self, run_fields: list[str]) -> str:
        """Starts the guest with the agent's RUN fields and returns how the session ended:
        the guest's end ("poweroff", "crash", ...) or "left" when the person pressed Ctrl-]."""
        self.link.send(*run_fields)
        leaving_since: float | None = None
        keys_open = True
        # Keys typed before the guest printed anything wait: until then the domain (and the pty
        # xenconsoled makes for it) may not exist yet.
        early = b""
        started = False
        while True:
            msg = self.link.recv(0.02)
            if msg is not None and msg.kind == "CON":
                self.out.write(msg.data(1))
                self.out.flush()
                if not started:
                    started = True
                    if early:
                        self.link.send("INPUT", early.hex())
            elif msg is not None and msg.kind == "END":
                return "left" if leaving_since is not None else msg.fields[0]
            elif msg is not None and msg.kind in ("XL", "ERR"):
                # The terminal is raw: a line needs its carriage return.
                self.out.write(f"[{msg.kind.lower()}] {msg.text(0)}\r\n".encode())
                self.out.flush()
            elif msg is None and getattr(self.link, "closed", False):
                return "host-closed"
            if leaving_since is not None:
                if time.monotonic() - leaving_since > KILL_GRACE_S:
                    return "left"
                continue
            if not keys_open or not select.select([self.keys_fd], [], [], 0)[0]:
                continue
            keys = os.read(self.keys_fd, 4096)
            if not keys:
                keys_open = False  # stdin ended (a pipe, /dev/null): just watch the console
                continue
            leave = LEAVE_KEY in keys
            keys = keys.split(LEAVE_KEY)[0]
            if keys and started:
                self.link.send("INPUT", keys.hex())
            elif keys:
                early += keys
            if leave:
                self.link.send("KILL")
                leaving_since = time.monotonic()


class RawTerminal:
    """The terminal in raw mode for the session (restored whatever happens); a no-op when the
    keys do not come from a terminal (a pipe, a test)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.saved = termios.tcgetattr(fd) if os.isatty(fd) else None

    def __enter__(self) -> "RawTerminal":
        if self.saved is not None:
            tty.setraw(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
