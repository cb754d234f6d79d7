"""The checker's end of the agent protocol (see agent/dom0_agent.cpp for the message list).

The same class serves both back ends: over QEMU's socket for the embedded test host, over a
pipe to a locally started agent for a lab machine's xl toolstack.
"""
from __future__ import annotations

import dataclasses
import os
import select
import time


@dataclasses.dataclass
class Message:
    kind: str          # READY, CON, END, XL, ERR, SH, SHRC, PONG
    fields: list[str]

    def text(self, index: int) -> str:
        """Decodes a hex payload field."""
        return bytes.fromhex(self.fields[index]).decode("utf-8", errors="replace")

    def data(self, index: int) -> bytes:
        return bytes.fromhex(self.fields[index])


def parse_line(line: str) -> Message | None:
    """Parses one agent line; lines that are not agent messages (noise) give None."""
    line = line.strip()
    if not line.startswith("@"):
        return None
    parts = line[1:].split()
    if not parts:
        return None
    return Message(parts[0], parts[1:])


class AgentLink:
    def __init__(self, read_fd: int, write_fd: int):
        self._rfd = read_fd
        self._wfd = write_fd
        self._buf = b""
        self.closed = False

    def send(self, *words: str) -> None:
        data = (" ".join(words) + "\n").encode()
        while data:
            n = os.write(self._wfd, data)
            data = data[n:]

    def recv(self, timeout: float) -> Message | None:
        """The next message, or None when `timeout` seconds pass without one."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                msg = parse_line(line.decode("ascii", errors="replace"))
                if msg is not None:
                    return msg
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return None
            ready, _, _ = select.select([self._rfd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._rfd, 65536)
            if not chunk:
                self.closed = True
                return None
            self._buf += chunk

    def shell(self, command: str, timeout: float = 60) -> tuple[int, str]:
        """Runs a shell command on the host's dom0 and returns (exit code, output)."""
        self.send("SH", command.encode().hex())
        out = ""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.recv(deadline - time.monotonic())
            if msg is None:
                break
            if msg.kind == "SH":
                out = msg.text(0) if msg.fields else ""
            elif msg.kind == "SHRC":
                return int(msg.fields[0]), out
        return -1, out
