"""A minimal Linux PV domU with a network interface: the yardstick for stage 08's network.

Debian's own kernel (the test host's dom0 kernel, which is also a PV guest kernel) with a
busybox initramfs that loads xen-netfront, gives eth0 an address and then behaves like stage
08's guest on its console: it prints "net: ready, ping me" and leaves on `quit`.  It also
answers `rx` with eth0's received-packet counter, so a test can see frames arrive without
tcpdump.  tests/integration/test_network_on_xen.py checks the test host's networking with it
and tools/benchmark-ping.py compares stage 08 against it.
"""
from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

from .qemu import cpio_newc

READY = b"net: ready, ping me"  # what stage 08 prints when it is ready (its own line)
CMDLINE = "console=hvc0 quiet"
MEMORY_MB = 128  # Debian's kernel with a small initramfs boots comfortably in this
MAC = "00:16:3e:63:00:03"  # not the stage guest's: both may be compared in one host boot
IP = "10.99.0.3"

# /init: as PID 1 on /dev/console (hvc0), whose line discipline turns the CR of Enter into NL.
INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
while read -r mod; do insmod "$mod"; done < /etc/modules.order
# netfront finds its vif through xenstore after insmod returns: wait for eth0 to appear.
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ip addr add {ip}/24 dev eth0
ip link set eth0 up
echo "{ready}"
while read -r cmd; do
    case "$cmd" in
        rx) echo "rx_packets $(cat /sys/class/net/eth0/statistics/rx_packets)" ;;
        quit) poweroff -f ;;
    esac
done
poweroff -f
"""


def _module_order(pkgroot: Path, modules: list[str]) -> list[Path]:
    kver = next((pkgroot / "lib/modules").iterdir()).name
    order: list[Path] = []
    for mod in modules:
        out = subprocess.run(["modprobe", "--show-depends", "-d", str(pkgroot), "-S", kver, mod],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == "insmod" and Path(parts[1]) not in order:
                order.append(Path(parts[1]))
    return order


def netfront_initrd(host_cache: Path, out: Path, ip: str = IP) -> Path:
    """Writes the domU's initramfs to `out`; host_cache is the test host's image cache (the
    kernel package unpacked there by image.build holds xen-netfront.ko)."""
    mods = _module_order(host_cache / "pkgroot", ["xen-netfront"])
    entries: list[tuple] = [("bin", None), ("dev", None), ("proc", None), ("sys", None), ("etc", None),
                            ("lib", None), ("lib/modules", None),
                            ("dev/console", b"", 0o020600, (5, 1)),  # init's stdin and stdout
                            ("bin/busybox", Path("/bin/busybox").read_bytes(), 0o100755),
                            ("init", INIT.format(ip=ip, ready=READY.decode()).encode(), 0o100755)]
    entries += [(f"lib/modules/{m.name}", m.read_bytes()) for m in mods]
    entries.append(("etc/modules.order", "".join(f"/lib/modules/{m.name}\n" for m in mods).encode()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(cpio_newc(entries), 6))
    return out
