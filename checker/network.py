"""The dom0 side of a network step: the guest's vif, dom0's bridge, its tools and frame files.

Every networked guest gets one vif on dom0's bridge, at the fixed addresses of addresses.py.
Also here: which dom0 tools a `dom0 = "..."` step may run, and the frame files of the
`send_frames` corpora that reach dom0 as payloads of the host boot (frame_file.py's format).
"""
from __future__ import annotations

from pathlib import Path

from . import frame_corpus
from .addresses import BRIDGE, BRIDGE_IP, BRIDGE_MAC, GUEST_IP, GUEST_MAC, PREFIX_LEN, ip_bytes, mac_bytes
from .frame_file import frames_file_bytes

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


# ---------------------------------------------------------------------------------------------
# Frame corpora (checker/frame_corpus.py): frames the checker sends onto a guest's vif.

def corpora() -> dict[str, frame_corpus.Corpus]:
    """The corpora a send_frames step may name: checker/frame_corpus.py's CORPORA.

    Asked through this function (by spec.py and here), so that a test can put corpora of its
    own in their place (tests/integration/test_network_on_xen.py does)."""
    return frame_corpus.CORPORA


def corpus_frames(name: str) -> list[frame_corpus.Frame]:
    """The frames of corpus `name`, made for the fixed guest and host addresses."""
    return corpora()[name](mac_bytes(GUEST_MAC), ip_bytes(GUEST_IP), mac_bytes(BRIDGE_MAC), ip_bytes(BRIDGE_IP))


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
