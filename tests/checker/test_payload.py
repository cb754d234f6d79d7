"""checker/payload.py: generated console input, and the summary a reader of it reports."""
import re
import zlib
from pathlib import Path

from checker.payload import PAYLOADS, paste_lines, summary

REPO = Path(__file__).resolve().parents[2]


def test_paste_lines_are_numbered_fixed_width_and_end_with_END():
    text = paste_lines(3)
    lines = text.splitlines()
    assert lines[-1] == "END" and len(lines) == 4
    assert all(re.fullmatch(r"line \d{5} [0-9a-f]{40}", line) for line in lines[:-1])
    assert [line.split()[1] for line in lines[:-1]] == ["00001", "00002", "00003"]
    assert paste_lines(3) == text  # the same on every run


def test_the_64k_paste_is_just_under_64_KiB_and_many_rings_long():
    text = PAYLOADS["paste-64k"]()
    lines, size, _ = summary(text)
    assert lines == 1260 and size == 1260 * 52 == 65520
    assert size > 60 * 1024  # sixty rings of 1 KiB: input must wait in Xen, never be dropped


def test_summary_counts_the_lines_before_END_and_checksums_them_like_go():
    text = "a\nbb\nEND\n"
    assert summary(text) == (2, 5, zlib.crc32(b"a\nbb\n"))


def test_the_paste_transcript_reports_what_the_checker_sent():
    # The transcript was recorded from a real boot: the program's own count and CRC-32 of what
    # it read must be those of the payload, or input was lost, reordered or changed on the way.
    transcript = REPO / "stages/07-console-read/expected-paste.txt"
    lines, size, crc = summary(PAYLOADS["paste-64k"]())
    assert f"read {lines} lines, {size} bytes, crc32 {crc:08x}" in transcript.read_text()
