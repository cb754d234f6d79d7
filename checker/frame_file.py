"""The file format of the frames the test host's agent sends onto a guest's vif
(agent/raw_frames.hpp): each frame as [u16 big-endian length][the frame], one after another.

network.py writes such files as payloads of a host boot; frame_corpus.py writes one for the Go
stack's own test of the corpus.
"""
from __future__ import annotations

import struct


def frames_file_bytes(frames: list[bytes]) -> bytes:
    """The agent's frame file holding `frames`, in order."""
    out = bytearray()
    for frame in frames:
        if len(frame) > 0xFFFF:
            raise ValueError(f"a frame of {len(frame)} bytes does not fit the file's 16-bit length")
        out += struct.pack(">H", len(frame)) + frame
    return bytes(out)
