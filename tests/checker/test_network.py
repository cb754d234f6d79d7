"""checker/network.py, addresses.py and frame_file.py: the fixed addresses, the vif spec and the
agent's frame file format."""
import struct

import pytest

from checker import addresses, network
from checker.frame_file import frames_file_bytes


def test_the_guest_vif_spec_names_bridge_mac_and_ip():
    assert network.vif_spec() == "bridge=xenbr0,mac=00:16:3e:63:00:02,ip=10.99.0.2"
    assert network.vif_spec("00:16:3e:63:00:03", "10.99.0.3").endswith("mac=00:16:3e:63:00:03,ip=10.99.0.3")


def test_the_addresses_are_on_one_subnet_and_the_bridge_mac_is_locally_administered():
    assert addresses.BRIDGE_IP.rsplit(".", 1)[0] == addresses.GUEST_IP.rsplit(".", 1)[0]
    assert addresses.mac_bytes(addresses.BRIDGE_MAC)[0] & 0x02  # never a real NIC's address
    assert network.NET_COMMAND == ("NET", "xenbr0", "02:00:0a:63:00:01", "10.99.0.1/24")


def test_mac_and_ip_bytes():
    assert addresses.mac_bytes("00:16:3e:63:00:02") == b"\x00\x16\x3e\x63\x00\x02"
    assert addresses.ip_bytes("10.99.0.2") == b"\x0a\x63\x00\x02"


def test_the_frame_file_is_big_endian_lengths_then_frames():
    data = frames_file_bytes([b"abc", b"", b"\xff" * 300])
    assert data[:5] == b"\x00\x03abc"
    assert data[5:7] == b"\x00\x00"
    assert struct.unpack(">H", data[7:9]) == (300,)
    assert len(data) == 2 + 3 + 2 + 2 + 300


def test_a_frame_too_long_for_the_length_field_is_refused():
    with pytest.raises(ValueError, match="16-bit length"):
        frames_file_bytes([b"x" * 0x10000])


def test_payloads_are_made_from_the_corpus_for_the_fixed_addresses(tmp_path, monkeypatch):
    seen = []

    def corpus(guest_mac, guest_ip, host_mac, host_ip):
        seen.append((guest_mac, guest_ip, host_mac, host_ip))
        return [("first", b"\x01\x02"), ("second", b"\x03")]

    monkeypatch.setattr(network, "corpora", lambda: {"tiny": corpus})
    files = network.write_frame_payloads({"tiny"}, tmp_path / "frames")
    assert list(files) == ["frames-tiny"]
    assert files["frames-tiny"].read_bytes() == b"\x00\x02\x01\x02\x00\x01\x03"
    assert files["frames-tiny"].suffix == ".frames"
    assert seen == [(addresses.mac_bytes(addresses.GUEST_MAC), addresses.ip_bytes(addresses.GUEST_IP),
                     addresses.mac_bytes(addresses.BRIDGE_MAC), addresses.ip_bytes(addresses.BRIDGE_IP))]


def test_tools_are_absolute_paths_known_by_name():
    assert set(network.TOOLS) == {"ping", "arping"}
    assert all(path.startswith("/") for path in network.TOOLS.values())
