"""Stage 08's bad-input transcript against the corpus it was recorded with.

The transcript comes from a real boot (checker record): dom0 sent checker/frame_corpus.py's
"malformed" frames onto the guest's vif, and the Go stack printed its drop counters when the
checker typed quit.  Here the counters are checked against the reasons the corpus declares for
the frames dom0 actually sent (its kernel refuses to send a frame shorter than an Ethernet
header, and the transcript says how many went out) -- so a recorded transcript whose counters
disagree with the corpus cannot pass review unnoticed.
"""
import re
from pathlib import Path

from checker import addresses, frame_corpus

REPO = Path(__file__).resolve().parents[2]
TRANSCRIPT = REPO / "stages/08-ping/expected-bad-input.txt"


def corpus():
    return frame_corpus.malformed(addresses.mac_bytes(addresses.GUEST_MAC), addresses.ip_bytes(addresses.GUEST_IP),
                                  addresses.mac_bytes(addresses.BRIDGE_MAC), addresses.ip_bytes(addresses.BRIDGE_IP))


def test_the_guest_counted_every_sent_frame_under_its_declared_reason():
    text = TRANSCRIPT.read_text()
    sent = re.search(r'^--- dom0: sent (\d+) (?:of (\d+) )?frames of corpus "malformed"', text, re.M)
    assert sent, "the transcript has no send_frames block"
    frames = corpus()
    if sent.group(2):
        assert int(sent.group(2)) == len(frames)
    n = int(sent.group(1))
    printed = {m.group(1): int(m.group(2)) for m in re.finditer(r"^  dropped  (.+?)\s{2,}(\d+)$", text, re.M)}
    assert printed == frame_corpus.expected_counts(frames[:n])


def test_only_runts_were_refused_by_dom0():
    text = TRANSCRIPT.read_text()
    sent = re.search(r'^--- dom0: sent (\d+) of (\d+) frames', text, re.M)
    if sent:  # everything from the first refused frame on is a runt (linux: dev_validate_header)
        assert all(len(frame) < 14 for _, frame in corpus()[int(sent.group(1)):])
