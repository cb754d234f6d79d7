"""checker/frame_corpus.py: every frame is well-formed but for the one fault it is labelled with,
the labels are the Go stack's drop reasons, and the frame file is the agent's format.

(That the Go stack really counts each frame under its label is the Go test
TestFrameCorpusCounters in stages/08-ping/go/netstack, which runs this module's --write.)
"""
import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from checker import addresses, frame_corpus, network
from checker.frame_file import frames_file_bytes
from checker.frame_corpus import internet_checksum

REPO = Path(__file__).resolve().parents[2]
DROPS_GO = REPO / "stages/08-ping/go/netstack/drops.go"

GUEST_MAC, GUEST_IP = addresses.mac_bytes(addresses.GUEST_MAC), addresses.ip_bytes(addresses.GUEST_IP)
HOST_MAC, HOST_IP = addresses.mac_bytes(addresses.BRIDGE_MAC), addresses.ip_bytes(addresses.BRIDGE_IP)
BROADCAST = b"\xff" * 6


@pytest.fixture(scope="module")
def corpus():
    return frame_corpus.malformed(GUEST_MAC, GUEST_IP, HOST_MAC, HOST_IP)


def go_reasons():
    """The drop-reason texts of the Go stack, from drops.go's table."""
    text = DROPS_GO.read_text()
    table = text[text.index("var dropReasonText"):]
    return set(re.findall(r'^\s*Drop\w+:\s*"([^"]+)",', table, re.M))


def by_reason(corpus, reason):
    frames = [frame for r, frame in corpus if r == reason]
    assert frames, f"the corpus has no frame for {reason!r}"
    return frames


def ip_header(frame):
    """(version, ihl, total_length, ttl, protocol, src, dst, checksum_ok) of an IPv4 frame."""
    ip = frame[14:]
    version, ihl = ip[0] >> 4, ip[0] & 0x0F
    total, = struct.unpack(">H", ip[2:4])
    return version, ihl, total, ip[8], ip[9], ip[12:16], ip[16:20], internet_checksum(ip[:20]) == 0


def test_the_corpus_is_small_fixed_and_labelled_with_go_reasons(corpus):
    assert corpus == frame_corpus.malformed(GUEST_MAC, GUEST_IP, HOST_MAC, HOST_IP)  # the same every time
    assert 40 < len(corpus) < 100
    assert all(len(frame) <= 100 for _, frame in corpus)
    assert sum(len(frame) for _, frame in corpus) < 8 * 1024  # dom0's line is slow
    reasons = go_reasons()
    assert len(reasons) > 30, "drops.go's table was not found"
    unknown = {r for r, _ in corpus} - reasons
    assert not unknown, f"labels that are no drop reason of the Go stack: {unknown}"


def test_the_corpus_covers_every_fault_asked_for(corpus):
    wanted = {
        "ethernet: truncated header", "ipv4: truncated header", "ipv4: total length beyond frame",
        "ipv4: total length below header length", "ipv4: bad header checksum", "ipv4: header length below 20",
        "ipv4: version not 4", "ipv4: TTL 0", "icmp: bad checksum", "icmp: truncated",
        "ipv4: overlapping fragments", "ipv4: reassembly timeout", "ipv4: reassembled datagram over 65535 bytes",
        "arp: wrong hardware length", "arp: wrong protocol length", "arp: wrong hardware type",
        "ethernet: unknown EtherType", "ipv4: protocol not served", "ipv4: not for us",
    }
    assert wanted <= {r for r, _ in corpus}
    flood = [f for r, f in corpus if r == "ethernet: unknown EtherType" and f[:6] == BROADCAST]
    assert len(flood) == 40 and len(set(flood)) == 40  # forty different broadcast frames


def test_every_frame_comes_from_the_host_and_goes_to_the_guest_unless_that_is_the_fault(corpus):
    other_destinations = {"ethernet: not for us", "ethernet: multicast", "ipv4: sent to link-layer broadcast"}
    for reason, frame in corpus:
        if reason == "ethernet: truncated header":
            continue
        assert frame[6:12] == HOST_MAC, reason
        ethertype, = struct.unpack(">H", frame[12:14])
        if ethertype == 0x0806 or reason == "ethernet: unknown EtherType" and frame[:6] == BROADCAST:
            assert frame[:6] == BROADCAST, reason  # ARP requests and the flood are broadcast
        elif reason in other_destinations:
            assert frame[:6] != GUEST_MAC and (frame[0] & 1 or reason == "ethernet: not for us"), reason
        else:
            assert frame[:6] == GUEST_MAC, reason


def test_ipv4_frames_are_right_but_for_their_fault(corpus):
    for reason, frame in corpus:
        if frame[12:14] != b"\x08\x00" or reason in ("ipv4: truncated header", "ethernet: truncated header"):
            continue
        version, ihl, total, ttl, protocol, src, dst, checksum_ok = ip_header(frame)
        assert (version == 4) == (reason != "ipv4: version not 4"), reason
        assert (ihl == 5) == (reason not in ("ipv4: version not 4", "ipv4: header length below 20")) or version != 4, reason
        assert checksum_ok == (reason != "ipv4: bad header checksum"), reason
        length_fault = reason in ("ipv4: total length beyond frame", "ipv4: total length below header length")
        assert (total == len(frame) - 14) != length_fault, reason
        assert (ttl == 0) == (reason == "ipv4: TTL 0"), reason
        assert (src == HOST_IP) == (reason != "ipv4: bad source address"), reason
        assert (dst == GUEST_IP) == (reason not in ("ipv4: not for us", "ipv4: broadcast or multicast destination")), reason
        assert protocol == (253 if reason == "ipv4: protocol not served" else 1), reason
    truncated, = by_reason(corpus, "ipv4: truncated header")
    assert len(truncated) == 14 + 10


def test_icmp_messages_are_right_but_for_their_fault(corpus):
    icmp_reasons = ("icmp: bad checksum", "icmp: truncated", "icmp: type not served", "icmp: echo reply nobody waits for")
    for reason in icmp_reasons:
        frame, = by_reason(corpus, reason)
        _, _, total, *_rest, checksum_ok = ip_header(frame)
        assert checksum_ok, reason
        message = frame[14 + 20:14 + total]
        if reason == "icmp: truncated":
            assert len(message) < 8
        else:
            assert (internet_checksum(message) == 0) == (reason != "icmp: bad checksum"), reason
    assert by_reason(corpus, "icmp: type not served")[0][34] == 13  # timestamp request
    assert by_reason(corpus, "icmp: echo reply nobody waits for")[0][34] == 0


def fragment_fields(frame):
    ident, flags = struct.unpack(">HH", frame[18:22])
    return ident, (flags & 0x1FFF) * 8, bool(flags & 0x2000), frame[34:]


def test_fragments_overlap_leave_a_hole_or_run_past_65535_as_labelled(corpus):
    for reason, frame in corpus:
        if "fragment" in reason or "reassembl" in reason:
            assert ip_header(frame)[7], f"{reason}: the IPv4 checksum must be right"
    (id1, off1, mf1, d1), (id2, off2, mf2, d2) = map(fragment_fields, by_reason(corpus, "ipv4: overlapping fragments"))
    assert id1 == id2 and mf1 and mf2 and off1 < off2 < off1 + len(d1)
    waiting = [fragment_fields(f) for f in by_reason(corpus, "ipv4: reassembly timeout")]
    (ida, offa, mfa, da), (idb, offb, mfb, db) = waiting
    assert ida == idb and offa == 0 and mfa and not mfb and offa + len(da) < offb  # a hole: never complete
    dup, = map(fragment_fields, by_reason(corpus, "ipv4: duplicate fragment"))
    assert dup == waiting[0]
    (_, off, mf, d), = map(fragment_fields, by_reason(corpus, "ipv4: reassembled datagram over 65535 bytes"))
    assert off + len(d) + 20 > 65535 and not mf and off <= 0x1FFF * 8
    (_, _, mf, d), = map(fragment_fields, by_reason(corpus, "ipv4: bad fragment"))
    assert mf and d == b""
    assert len({fragment_fields(f)[0] for r, f in corpus if r in ("ipv4: overlapping fragments", "ipv4: reassembly timeout",
                                                                "ipv4: reassembled datagram over 65535 bytes", "ipv4: bad fragment")}) == 4


def test_arp_requests_have_exactly_their_one_wrong_field(corpus):
    good = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + HOST_MAC + HOST_IP + bytes(6) + GUEST_IP
    field_at = {"arp: wrong hardware type": (0, 2), "arp: wrong protocol type": (2, 4),
                "arp: wrong hardware length": (4, 5), "arp: wrong protocol length": (5, 6)}
    for reason, (start, end) in field_at.items():
        frame, = by_reason(corpus, reason)
        packet = frame[14:]
        assert len(packet) == 28 and packet[start:end] != good[start:end], reason
        assert packet[:start] + packet[end:] == good[:start] + good[end:], reason
    truncated, = by_reason(corpus, "arp: truncated")
    assert truncated[14:] == good[:20]


def test_only_the_last_frame_is_shorter_than_an_ethernet_header(corpus):
    short = [i for i, (_, frame) in enumerate(corpus) if len(frame) < 14]
    assert short == [len(corpus) - 1] and corpus[-1][0] == "ethernet: truncated header"
    counts, sendable = frame_corpus.expected_counts(corpus), frame_corpus.expected_counts(corpus, sendable_only=True)
    assert sum(counts.values()) == len(corpus)
    assert "ethernet: truncated header" not in sendable and sum(sendable.values()) == len(corpus) - 1


def test_expected_counts_count_labels(corpus):
    counts = frame_corpus.expected_counts(corpus)
    assert counts["ethernet: unknown EtherType"] == 41  # the flood and the unicast one
    assert counts["ipv4: overlapping fragments"] == 2 and counts["ipv4: reassembly timeout"] == 2
    assert list(counts) == sorted(counts)


def test_checksum_matches_rfc_1071s_example():
    assert internet_checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D
    assert internet_checksum(b"\x01\x02\x03") == ~(0x0102 + 0x0300) & 0xFFFF


def test_other_host_avoids_guest_and_host():
    assert frame_corpus.other_host(bytes([10, 99, 0, 77]), bytes([10, 99, 0, 78])) == bytes([10, 99, 0, 79])


def test_the_written_file_is_the_agents_format_and_the_counts_json(tmp_path, corpus):
    frames_file, counts_file = tmp_path / "corpus.frames", tmp_path / "counts.json"
    subprocess.run([sys.executable, str(REPO / "checker/frame_corpus.py"), "--write", str(frames_file),
                    "--counts", str(counts_file)], check=True, cwd=tmp_path)
    data = frames_file.read_bytes()
    assert data == frames_file_bytes([frame for _, frame in corpus])
    assert split_frames(data) == [frame for _, frame in corpus]
    assert json.loads(counts_file.read_text()) == frame_corpus.expected_counts(corpus)


def split_frames(data):
    frames, at = [], 0
    while at < len(data):
        n, = struct.unpack(">H", data[at:at + 2])
        frames.append(data[at + 2:at + 2 + n])
        at += 2 + n
    return frames


def test_other_addresses_reach_the_frames(tmp_path, corpus):
    out = tmp_path / "f"
    frame_corpus.main(["--write", str(out), "--guest-mac", "00:16:3e:00:00:09", "--guest-ip", "10.1.2.3",
                       "--host-mac", "02:00:00:00:00:01", "--host-ip", "10.1.2.1"])
    frames = split_frames(out.read_bytes())
    ttl0 = frames[[reason for reason, _ in corpus].index("ipv4: TTL 0")]
    assert ttl0[:12] == bytes.fromhex("00163e000009" "020000000001")
    assert ttl0[14 + 12:14 + 20] == bytes([10, 1, 2, 1, 10, 1, 2, 3])


def test_the_checker_finds_the_corpus_by_name():
    assert network.corpus_frames("malformed") == frame_corpus.malformed(GUEST_MAC, GUEST_IP, HOST_MAC, HOST_IP)
