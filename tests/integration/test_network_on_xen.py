"""The test host's networking, end to end, against a real Linux PV domU (no stage needed).

One boot of the test host, one Linux guest (checker/testhost/linux_domu.py) with a vif on
dom0's bridge, driven through the checker's own Runner exactly as a stage-08 scenario would be:
dom0's ping and arping must be answered, a ping that cannot be answered must be stopped at its
timeout, and frames sent from a payload file onto the vif must arrive (eth0's rx_packets
counter, read in the guest before and after).  Boots QEMU: run by ctest as xen.network, under
the xen-test-host resource lock, and it takes the checker's run lock on the build directory.
"""
import os
import re
import struct
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from checker import network  # noqa: E402
from checker.runlock import RunLock  # noqa: E402
from checker.runner import Runner  # noqa: E402
from checker.spec import InputStep, Scenario  # noqa: E402
from checker.testhost import image, linux_domu, qemu  # noqa: E402

BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
WORK = BUILD_DIR / "checker" / "network-check"
PING = ("ping", "-c", "10", "-i", "0.2", linux_domu.IP)
ARPING = ("arping", "-c", "3", "-I", network.BRIDGE, linux_domu.IP)
UNANSWERED = ("ping", "-c", "100", "-i", "0.2", "10.99.0.9")  # nobody has this address
GOOD_FRAMES = 20


def stand_in_corpus(guest_mac: bytes, guest_ip: bytes, host_mac: bytes, host_ip: bytes):
    """Until checker/frame_corpus.py's corpora are used here: ARP requests for the Linux
    guest's address, then one 10-byte runt, which dom0's kernel must refuse to send."""
    target_ip = network.ip_bytes(linux_domu.IP)
    frames = []
    for i in range(GOOD_FRAMES):
        arp = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + host_mac + host_ip + b"\0" * 6 + target_ip
        frames.append((f"arp-request-{i}", b"\xff" * 6 + host_mac + b"\x08\x06" + arp))
    frames.append(("runt-10-bytes", b"\xff" * 6 + host_mac[:4]))
    return frames


@pytest.fixture(scope="module")
def linux_run():
    WORK.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch, RunLock(BUILD_DIR, True, print):
        patch.setattr(network, "corpora", lambda: {"stand-in": stand_in_corpus})
        img = image.build(BUILD_DIR / "testhost", print)
        initrd = linux_domu.netfront_initrd(BUILD_DIR / "testhost", WORK / "linux-net-initrd.cpio.gz")
        payload = {"linux": img.kernel, "linux-initrd": initrd,
                   **network.write_frame_payloads({"stand-in"}, WORK / "frames")}
        ready = re.escape(linux_domu.READY.decode())
        count = r"rx_packets \d+$"
        steps = (
            InputStep(ready, dom0=PING),
            InputStep(ready, dom0=ARPING),
            InputStep(ready, dom0=UNANSWERED, timeout_s=2.0),
            InputStep(ready, send="rx\n"),
            InputStep(count, send_frames="stand-in"),
            InputStep(count, send="rx\n", delay_s=1.0),
            InputStep(r"rx_packets \d+\n(?:.*\n)*rx_packets \d+$", send="quit\n"),
        )
        sc = Scenario(stage="network-check", name="linux", kernel="vmlinuz", memory_mb=linux_domu.MEMORY_MB,
                      timeout_s=120.0, expect_end="shutdown", cmdline=linux_domu.CMDLINE,
                      transcript=WORK / "none.txt", inputs=steps, rules=(), max_console_bytes=1 << 20, vif=True)
        with qemu.QemuXenHost(img, WORK / "host", payload, "auto", print) as host:
            runner = Runner(host, WORK / "results", print)
            result = runner.execute(sc, "linux", ramdisk="linux-initrd", vif=network.vif_spec(linux_domu.MAC, linux_domu.IP))
            print(result.transcript().decode(errors="replace"))
            (WORK / "transcript.txt").write_bytes(result.transcript())
            return result, runner.net_seconds


def step(result, argv):
    return next(s for s in result.dom0 if s.argv == argv)


def test_dom0_bridge_came_up_on_first_use(linux_run):
    _, net_seconds = linux_run
    assert 0 < net_seconds < 30


def test_dom0_ping_is_answered_10_of_10(linux_run):
    result, _ = linux_run
    ping = step(result, PING)
    out = ping.output.decode()
    assert (ping.how, ping.rc) == ("exit", 0), out
    assert "10 packets transmitted, 10 received, 0% packet loss" in out
    assert len(re.findall(rf"^64 bytes from {re.escape(linux_domu.IP)}: icmp_seq=\d+ ttl=64 time=", out, re.M)) == 10


def test_dom0_arping_is_answered_with_the_guests_mac(linux_run):
    result, _ = linux_run
    arping = step(result, ARPING)
    out = arping.output.decode()
    assert (arping.how, arping.rc) == ("exit", 0), out
    assert out.count(f"reply from {linux_domu.IP} [{linux_domu.MAC.upper()}]") == 3, out
    assert "Received 3 response(s)" in out


def test_a_tool_that_runs_too_long_is_stopped_at_its_timeout(linux_run):
    result, _ = linux_run
    ping = step(result, UNANSWERED)
    assert ping.how == "timeout"
    assert "(stopped after 2 s, exit" in ping.header()
    assert "packets transmitted" in ping.output.decode()  # SIGINT first: ping printed its summary


def test_frames_from_the_payload_file_reach_the_guest(linux_run):
    result, _ = linux_run
    frames = next(s for s in result.dom0 if s.kind == "frames")
    assert (frames.sent, frames.total, frames.failed_index) == (GOOD_FRAMES, GOOD_FRAMES + 1, GOOD_FRAMES)
    assert frames.header().startswith(f'--- dom0: sent {GOOD_FRAMES} of {GOOD_FRAMES + 1} frames of corpus "stand-in" '
                                      f'(frame {GOOD_FRAMES} "runt-10-bytes" refused: ')
    before, after = (int(n) for n in re.findall(rb"rx_packets (\d+)", result.console))
    assert GOOD_FRAMES <= after - before <= GOOD_FRAMES + 2, (before, after)


def test_the_transcript_has_a_block_per_dom0_step_in_order(linux_run):
    result, _ = linux_run
    text = result.transcript().decode()
    headers = [line for line in text.splitlines() if line.startswith("--- dom0: ")]
    assert headers[0] == f"--- dom0: {' '.join(PING)} (exit 0) ---"
    assert headers[1] == f"--- dom0: {' '.join(ARPING)} (exit 0) ---"
    assert headers[2].startswith(f"--- dom0: {' '.join(UNANSWERED)} (stopped after 2 s")
    assert headers[3].startswith("--- dom0: sent 20 of 21 frames")
    assert text.index(linux_domu.READY.decode()) < text.index(headers[0])


def test_the_guest_powered_off_after_quit(linux_run):
    result, _ = linux_run
    assert result.end == "poweroff"
