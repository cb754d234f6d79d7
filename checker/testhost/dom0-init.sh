#!/bin/busybox sh
# /init of the test host's dom0: a busybox initramfs that brings up just enough of Xen's
# toolstack to start PV guests (xenstored, xen-init-dom0, xenconsoled) and then hands the
# second serial line to the checker's agent.  Progress lines start with "dom0-init:" and land
# on Xen's serial log (dom0's hvc0), which the checker keeps for HOST-ERROR reports.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
say() { echo "dom0-init: $*"; }
fail() { echo "dom0-init: FAILED: $*"; sleep 1; reboot -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp /var/run/xen /var/lib/xen /var/log/xen/console /var/lib/xenstored
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mkdir -p /run/xen /run/agent
say "kernel $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s"

# Xen's device drivers are modules in Debian's kernel; load them in dependency order
# (the list is computed by the image builder with modprobe --show-depends).
while read -r mod; do
    [ -n "$mod" ] && insmod "$mod" 2>/dev/null
done < /etc/modules.order
mount -t xenfs xenfs /proc/xen || fail "cannot mount xenfs (is this dom0 running on Xen?)"

xenstored --pid-file /run/xen/xenstored.pid || fail "xenstored did not start"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -f /run/xen/xenstored.pid ] && break; sleep 0.2; done
xen-init-dom0 >/dev/null 2>&1 || fail "xen-init-dom0 failed"
xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console \
    || fail "xenconsoled did not start"

say "toolstack ready after $(cut -d' ' -f1 /proc/uptime) s"
# The line to the checker is a virtio-serial port (QEMU's virtserialport "unigornel.agent"):
# devtmpfs names it vport<bus>p<port>; sysfs says which one has our name.
line=""
for i in $(seq 1 50); do
    for n in /sys/class/virtio-ports/*/name; do
        [ -f "$n" ] && [ "$(cat "$n")" = unigornel.agent ] && line=/dev/$(basename "$(dirname "$n")")
    done
    [ -n "$line" ] && [ -e "$line" ] && break
    sleep 0.1
done
[ -n "$line" ] || fail "no virtio-serial port named unigornel.agent (virtio_console not loaded?)"
exec /bin/dom0_agent --line "$line"
