"""Frames the checker sends from dom0 onto a stage-08 guest's vif as bad input, each with the
drop reason under which the guest's network stack must count it.

    CORPORA["malformed"](guest_mac, guest_ip, host_mac, host_ip) -> [(reason, frame), ...]

Every frame comes from dom0 (host_mac, host_ip) and is meant for the guest.  `reason` is
exactly the text of one of the Go stack's drop reasons (stages/08-ping/go/netstack/drops.go):
after the frames, the guest's "stats" command prints a line "dropped  <reason>  <n>" for each,
and expected_counts() says what n must be.  The two sides agree by test, not by luck: the Go
test TestFrameCorpusCounters runs

    python3 checker/frame_corpus.py --write FRAMES --counts COUNTS.json

feeds the frames in FRAMES to the stack and compares its counters with COUNTS.json.  FRAMES is
the file format the test host's agent sends from (checker/frame_file.py: each frame as
[u16 big-endian length][frame]).

Things the sender must know:
  * The incomplete fragment set is counted only when the guest's reassembly timer expires,
    REASSEMBLY_TIMEOUT_S after its first fragment: read the counters after SETTLE_S.
  * Two frames get an answer, not silence: the unknown protocol (ICMP protocol unreachable)
    and the expired fragment set whose fragment zero came (ICMP time exceeded).  Nothing else
    is answered.
  * The frame shorter than an Ethernet header is last.  Linux's AF_PACKET refuses to send a
    frame shorter than the device's header (dev->min_header_len, 14 for Ethernet), so from dom0
    that one send fails with EINVAL and the guest never sees it; expected_counts(...,
    sendable_only=True) leaves it out.

The frames are small (the whole corpus is a few kilobytes) and fewer than a hundred.
"""
from __future__ import annotations

import argparse
import collections
import json
import struct
import sys
from pathlib import Path
from typing import Callable

if __package__ in (None, ""):  # run as a script: python3 checker/frame_corpus.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker import addresses  # noqa: E402
from checker.frame_file import frames_file_bytes  # noqa: E402

Frame = tuple[str, bytes]  # (what the frame is, its bytes from the destination MAC on)
# (guest_mac, guest_ip, host_mac, host_ip) -> the corpus's frames, addressed from host to guest
Corpus = Callable[[bytes, bytes, bytes, bytes], list[Frame]]

REASSEMBLY_TIMEOUT_S = 3.0  # netstack.DefaultReassemblyTimeout
SETTLE_S = REASSEMBLY_TIMEOUT_S + 2.0
ETHERNET_HEADER = 14  # frames shorter than this cannot be sent with AF_PACKET

BROADCAST = b"\xff" * 6
ETH_IPV4, ETH_ARP = 0x0800, 0x0806
# IEEE 802's two "local experimental" EtherTypes: no stack serves them.
ETH_EXPERIMENTAL_1, ETH_EXPERIMENTAL_2 = 0x88B5, 0x88B6
PROTO_ICMP = 1
PROTO_EXPERIMENTAL = 253  # RFC 3692: for experimentation and testing
ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, ICMP_TIMESTAMP = 8, 0, 13
MF = 0x2000


# --- Building blocks ----------------------------------------------------------------------------

def internet_checksum(data: bytes) -> int:
    """RFC 1071: the ones' complement of the ones' complement sum of 16-bit big-endian words."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ethernet(dst: bytes, src: bytes, ethertype: int, payload: bytes) -> bytes:
    return dst + src + struct.pack(">H", ethertype) + payload


def ipv4(src: bytes, dst: bytes, protocol: int, payload: bytes, *, ident: int = 0x5500, ttl: int = 64,
         flags_offset: int = 0, version_ihl: int = 0x45, total_length: int | None = None,
         checksum_xor: int = 0) -> bytes:
    """An IPv4 packet with a 20-byte header; the checksum is right unless checksum_xor spoils it.
    The checksum covers the 20 bytes whatever the IHL says, so only the named field is wrong."""
    if total_length is None:
        total_length = 20 + len(payload)
    header = struct.pack(">BBHHHBBH4s4s", version_ihl, 0, total_length, ident, flags_offset, ttl, protocol, 0, src, dst)
    checksum = internet_checksum(header) ^ checksum_xor
    return header[:10] + struct.pack(">H", checksum) + header[12:] + payload


def icmp(kind: int, ident: int, seq: int, data: bytes, *, checksum_xor: int = 0) -> bytes:
    """An ICMP message with an identifier and a sequence number (echo, echo reply, timestamp)."""
    message = struct.pack(">BBHHH", kind, 0, 0, ident, seq) + data
    checksum = internet_checksum(message) ^ checksum_xor
    return message[:2] + struct.pack(">H", checksum) + message[4:]


def arp(sender_mac: bytes, sender_ip: bytes, target_ip: bytes, *, htype: int = 1, ptype: int = ETH_IPV4,
        hlen: int = 6, plen: int = 4, op: int = 1) -> bytes:
    """An ARP request (RFC 826) with the given field values; the addresses keep their real sizes."""
    return struct.pack(">HHBBH", htype, ptype, hlen, plen, op) + sender_mac + sender_ip + b"\x00" * 6 + target_ip


def data(n: int, seed: int = 0) -> bytes:
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


def other_host(guest_ip: bytes, host_ip: bytes) -> bytes:
    """An address on the guest's /24 that is neither the guest's nor the host's."""
    for last in range(77, 255):
        candidate = guest_ip[:3] + bytes([last])
        if candidate not in (guest_ip, host_ip):
            return candidate
    raise ValueError("no free address next to the guest's")


# --- The corpus ---------------------------------------------------------------------------------

def malformed(guest_mac: bytes, guest_ip: bytes, host_mac: bytes, host_ip: bytes) -> list[Frame]:
    """Bad input, one frame per fault, each labelled with the reason the guest counts it under."""
    def to_guest(ethertype: int, payload: bytes) -> bytes:
        return ethernet(guest_mac, host_mac, ethertype, payload)

    def ip_to_guest(protocol: int, payload: bytes, **fields) -> bytes:
        return to_guest(ETH_IPV4, ipv4(host_ip, guest_ip, protocol, payload, **fields))

    echo = icmp(ICMP_ECHO_REQUEST, 0x4242, 1, data(16))
    frames: list[Frame] = []

    def add(reason: str, frame: bytes, times: int = 1) -> None:
        frames.extend((reason, frame) for _ in range(times))

    # IPv4 header faults, in the order the stack checks them (Linux's ip_rcv_core order).
    good_ip = ipv4(host_ip, guest_ip, PROTO_ICMP, echo)
    add("ipv4: truncated header", to_guest(ETH_IPV4, good_ip[:10]))
    add("ipv4: version not 4", ip_to_guest(PROTO_ICMP, echo, version_ihl=0x65))
    add("ipv4: header length below 20", ip_to_guest(PROTO_ICMP, echo, version_ihl=0x44))
    add("ipv4: bad header checksum", ip_to_guest(PROTO_ICMP, echo, checksum_xor=0x5555))
    add("ipv4: total length beyond frame", ip_to_guest(PROTO_ICMP, echo, total_length=20 + len(echo) + 100))
    add("ipv4: total length below header length", ip_to_guest(PROTO_ICMP, echo, total_length=16))
    add("ipv4: TTL 0", ip_to_guest(PROTO_ICMP, echo, ttl=0))
    add("ipv4: bad source address", to_guest(ETH_IPV4, ipv4(bytes([127, 0, 0, 1]), guest_ip, PROTO_ICMP, echo)))
    add("ipv4: broadcast or multicast destination", to_guest(ETH_IPV4, ipv4(host_ip, BROADCAST[:4], PROTO_ICMP, echo)))
    add("ipv4: not for us", to_guest(ETH_IPV4, ipv4(host_ip, other_host(guest_ip, host_ip), PROTO_ICMP, echo)))
    add("ipv4: sent to link-layer broadcast", ethernet(BROADCAST, host_mac, ETH_IPV4, good_ip))
    # A protocol nobody serves: dropped, and answered with ICMP protocol unreachable.
    add("ipv4: protocol not served", ip_to_guest(PROTO_EXPERIMENTAL, data(8)))

    # ICMP faults.
    add("icmp: bad checksum", ip_to_guest(PROTO_ICMP, icmp(ICMP_ECHO_REQUEST, 0x4242, 2, data(16), checksum_xor=0x00FF)))
    add("icmp: truncated", ip_to_guest(PROTO_ICMP, echo[:4]))
    add("icmp: type not served", ip_to_guest(PROTO_ICMP, icmp(ICMP_TIMESTAMP, 0x4242, 3, bytes(12))))
    add("icmp: echo reply nobody waits for", ip_to_guest(PROTO_ICMP, icmp(ICMP_ECHO_REPLY, 0x4242, 4, data(16))))

    # Fragments: pieces of a 40-byte echo request (offsets in 8-byte units).
    big_echo = icmp(ICMP_ECHO_REQUEST, 0x4242, 5, data(32))

    def fragment(ident: int, offset_units: int, piece: bytes, more: bool) -> bytes:
        return ip_to_guest(PROTO_ICMP, piece, ident=ident, flags_offset=offset_units | (MF if more else 0))

    # Overlap: the second starts inside the first; the whole datagram goes, both frames.
    add("ipv4: overlapping fragments", fragment(0x0F01, 0, big_echo[0:16], True))
    add("ipv4: overlapping fragments", fragment(0x0F01, 1, big_echo[8:24], True))
    # Never completed: bytes 16-31 never come.  The duplicate of fragment zero is dropped alone;
    # the two others wait, are counted when the timer expires, and fragment zero being there,
    # the guest answers with ICMP time exceeded.
    add("ipv4: reassembly timeout", fragment(0x0F02, 0, big_echo[0:16], True))
    add("ipv4: duplicate fragment", fragment(0x0F02, 0, big_echo[0:16], True))
    add("ipv4: reassembly timeout", fragment(0x0F02, 4, big_echo[32:40], False))
    # A fragment ending past 65535 - 20 bytes of payload (ping of death): offset 65512 + 32.
    add("ipv4: reassembled datagram over 65535 bytes", fragment(0x0F03, 8189, data(32), False))
    # An empty fragment.
    add("ipv4: bad fragment", fragment(0x0F04, 1, b"", True))

    # ARP faults: requests for the guest's address with one field wrong.
    def arp_to_guest(**fields) -> bytes:
        return ethernet(BROADCAST, host_mac, ETH_ARP, arp(host_mac, host_ip, guest_ip, **fields))

    add("arp: wrong hardware length", arp_to_guest(hlen=8))
    add("arp: wrong protocol length", arp_to_guest(plen=6))
    add("arp: wrong hardware type", arp_to_guest(htype=6))  # 6: IEEE 802 networks
    add("arp: wrong protocol type", arp_to_guest(ptype=0x86DD))
    add("arp: truncated", ethernet(BROADCAST, host_mac, ETH_ARP, arp(host_mac, host_ip, guest_ip)[:20]))

    # Ethernet: a type nobody serves, unicast to another station, multicast, then a broadcast
    # flood of an unknown type.
    add("ethernet: unknown EtherType", to_guest(ETH_EXPERIMENTAL_1, data(46)))
    add("ethernet: not for us", ethernet(b"\x02\x00\x0a\x63\x00\x99", host_mac, ETH_IPV4, good_ip))
    add("ethernet: multicast", ethernet(b"\x01\x00\x5e\x00\x00\x01", host_mac, ETH_IPV4, good_ip))
    for i in range(40):
        frames.append(("ethernet: unknown EtherType", ethernet(BROADCAST, host_mac, ETH_EXPERIMENTAL_2, data(46, i))))

    # Last, because dom0 cannot send it (see the module's comment): shorter than a header.
    add("ethernet: truncated header", (guest_mac + host_mac)[:10])
    return frames


CORPORA: dict[str, Corpus] = {"malformed": malformed}


def expected_counts(corpus: list[Frame], sendable_only: bool = False) -> dict[str, int]:
    """{reason: how many frames the guest counts under it} for a corpus; sendable_only leaves out
    the frames dom0 cannot send (shorter than an Ethernet header)."""
    counts = collections.Counter(reason for reason, frame in corpus
                                 if not sendable_only or len(frame) >= ETHERNET_HEADER)
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a frame corpus in the test host's frame file format.")
    ap.add_argument("--write", required=True, type=Path, help="the frame file: [u16 big-endian length][frame]...")
    ap.add_argument("--counts", type=Path, help="also write expected_counts as JSON {reason: count}")
    ap.add_argument("--corpus", default="malformed", choices=sorted(CORPORA))
    ap.add_argument("--guest-mac", default=addresses.GUEST_MAC)
    ap.add_argument("--guest-ip", default=addresses.GUEST_IP)
    ap.add_argument("--host-mac", default=addresses.BRIDGE_MAC)
    ap.add_argument("--host-ip", default=addresses.BRIDGE_IP)
    args = ap.parse_args(argv)
    corpus = CORPORA[args.corpus](addresses.mac_bytes(args.guest_mac), addresses.ip_bytes(args.guest_ip),
                                  addresses.mac_bytes(args.host_mac), addresses.ip_bytes(args.host_ip))
    args.write.write_bytes(frames_file_bytes([frame for _, frame in corpus]))
    if args.counts:
        args.counts.write_text(json.dumps(expected_counts(corpus), indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
