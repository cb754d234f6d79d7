"""The fixed addresses of the test host's network: dom0's bridge and the stage guest on it.

They are fixed, not chosen per run, because transcripts show them: a stage-08 guest prints its
MAC and IP, dom0's ping prints the guest's address and arping its MAC.  This module is the one
place they are written down; network.py (the dom0 side of a network step) and frame_corpus.py
(frames addressed from dom0 to the guest) both read them here.
"""
from __future__ import annotations

import ipaddress

BRIDGE = "xenbr0"  # the name Xen's own scripts and documentation use for a guest bridge
# Locally administered (the 0x02 bit of the first byte), "0a:63" for 10.99: no real NIC has it.
BRIDGE_MAC = "02:00:0a:63:00:01"
BRIDGE_IP = "10.99.0.1"
PREFIX_LEN = 24  # 10.99.0.0/24: a private range no host network is likely to use
# 00:16:3e is Xen's own OUI, from which xl picks a vif's MAC when the configuration gives none.
GUEST_MAC = "00:16:3e:63:00:02"
GUEST_IP = "10.99.0.2"


def mac_bytes(mac: str) -> bytes:
    return bytes(int(part, 16) for part in mac.split(":"))


def ip_bytes(ip: str) -> bytes:
    return ipaddress.IPv4Address(ip).packed
