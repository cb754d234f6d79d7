"""The test host's network as guests and transcripts see it, and the dom0 side of a network step.

Every networked guest gets one vif on dom0's bridge.  The addresses are fixed, not chosen per
run, because transcripts show them: a stage-08 guest prints its MAC and IP, dom0's ping prints
the guest's address and arping its MAC.  This module is the one place they are written down.

Also here: which dom0 tools a `dom0 = "..."` step may run, and the file format of the
`send_frames` corpora that reach dom0 as payloads of the host boot (agent/raw_frames.hpp).
"""
from __future__ import annotations

import importlib
import ipaddress
import struct
from pathlib import Path
from typing import Callable

BRIDGE = "xenbr0"  # the name Xen's own scripts and documentation use for a guest bridge
# Locally administered (the 0x02 bit of the first byte), "0a:63" for 10.99: no real NIC has it.
BRIDGE_MAC = "02:00:0a:63:00:01"
BRIDGE_IP = "10.99.0.1"
PREFIX_LEN = 24  # 10.99.0.0/24: a private range no host network is likely to use
# 00:16:3e is Xen's own OUI, from which xl picks a vif's MAC when the configuration gives none.
GUEST_MAC = "00:16:3e:63:00:02"
GUEST_IP = "10.99.0.2"

# The dom0 tools a step may run, by the name stage.toml uses, and where Debian's iputils puts
# them (the agent runs only these paths; image.py copies them into the test host).
TOOLS = {"ping": "/bin/ping", "arping": "/usr/bin/arping"}

# The agent's NET command: dom0's bridge, made before the first guest with a vif starts.
NET_COMMAND = ("NET", BRIDGE, BRIDGE_MAC, f"{BRIDGE_IP}/{PREFIX_LEN}")


def vif_spec(mac: str = GUEST_MAC, ip: str = GUEST_IP) -> str:
    """The xl vif spec of a guest's one network interface (xl.cfg(5): vif = [ '...' ]).

    ip= makes xl write the address into the backend's xenstore directory, where the guest
    finds it (stage 08 reads it instead of being configured by hand)."""
    return f"bridge={BRIDGE},mac={mac},ip={ip}"


def mac_bytes(mac: str) -> bytes:
    return bytes(int(part, 16) for part in mac.split(":"))


def ip_bytes(ip: str) -> bytes:
    return ipaddress.IPv4Address(ip).packed


# ---------------------------------------------------------------------------------------------
# Frame corpora (checker/frame_corpus.py): frames the checker sends onto a guest's vif.

FrameList = list[tuple[str, bytes]]  # (what the frame is, its bytes from the destination MAC on)


def corpora() -> dict[str, Callable[[bytes, bytes, bytes, bytes], FrameList]]:
    """checker/frame_corpus.py's CORPORA; imported on first use, so that the checker runs
    whether or not that module exists yet (only a send_frames step needs it)."""
    try:
        module = importlib.import_module("checker.frame_corpus")
    except ImportError as exc:
        raise LookupError(f"checker/frame_corpus.py cannot be imported ({exc}); "
                          "send_frames steps need it") from None
    return module.CORPORA


def corpus_frames(name: str) -> FrameList:
    """The frames of corpus `name`, made for the fixed guest and host addresses above."""
    return corpora()[name](mac_bytes(GUEST_MAC), ip_bytes(GUEST_IP), mac_bytes(BRIDGE_MAC), ip_bytes(BRIDGE_IP))


def frames_file_bytes(frames: list[bytes]) -> bytes:
    """The agent's frame file: each frame as [u16 big-endian length][the frame]."""
    out = bytearray()
    for frame in frames:
        if len(frame) > 0xFFFF:
            raise ValueError(f"a frame of {len(frame)} bytes does not fit the file's 16-bit length")
        out += struct.pack(">H", len(frame)) + frame
    return bytes(out)


def frames_payload_name(corpus: str) -> str:
    """The name under which a corpus's frame file travels in the host's payload."""
    return f"frames-{corpus}"


def write_frame_payloads(corpus_names: set[str], directory: Path) -> dict[str, Path]:
    """Writes one frame file per corpus into `directory`; returns {payload name: file}."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in sorted(corpus_names):
        path = directory / f"{frames_payload_name(name)}.frames"
        path.write_bytes(frames_file_bytes([frame for _, frame in corpus_frames(name)]))
        files[frames_payload_name(name)] = path
    return files
