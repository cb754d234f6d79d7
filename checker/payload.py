"""Console input the checker makes up instead of reading it from stage.toml.

A scenario's `[[input]]` may say `send_generated = "NAME"` instead of `send = "..."`: the text
sent is then PAYLOADS[NAME](), the same on every run, so the program's summary of what it read
(a count and a checksum) can sit in a transcript recorded from a real boot, and a test can
check that it matches what was sent (tests/checker/test_payload.py).
"""
from __future__ import annotations

import hashlib
import zlib
from typing import Callable


def paste_lines(count: int) -> str:
    """`count` lines "line 00001 <40 hex digits>" (52 bytes each with the newline), then "END".

    The hex digits are the SHA-1 of the line number: varied text, nothing random."""
    lines = [f"line {i:05d} {hashlib.sha1(str(i).encode()).hexdigest()}\n" for i in range(1, count + 1)]
    return "".join(lines) + "END\n"


def summary(text: str) -> tuple[int, int, int]:
    """What a program that reads lines until "END" reports: lines, bytes and CRC-32 (IEEE, as
    Go's hash/crc32.ChecksumIEEE) of the lines before END, newlines included."""
    body = text[: text.rindex("END\n")]
    data = body.encode()
    return body.count("\n"), len(data), zlib.crc32(data)


# 1260 lines of 52 bytes: 65520 bytes, just under 64 KiB, sixty-four times the console's
# 1 KiB input ring.
PAYLOADS: dict[str, Callable[[], str]] = {
    "paste-64k": lambda: paste_lines(1260),
}
