#!/bin/bash
# The netstack package's host test over a real TAP device (TestTapPing): Linux's own IPv4 stack
# and iputils' ping on one side, the Go stack on the other, in a network namespace this script
# makes for it, so that no traffic leaves it and the host's network is never touched.
#
#   tap-ping.sh GO STAGE_GO_DIR        (run by ctest: stages-<stage>.netstack.tap)
#
# Exit status 77 (ctest's SKIP_RETURN_CODE) when the test cannot run here: not root, no
# /dev/net/tun, no ip command, no iputils ping, or no network namespaces.
set -euo pipefail
go=${1:?usage: tap-ping.sh GO STAGE_GO_DIR}
dir=${2:?usage: tap-ping.sh GO STAGE_GO_DIR}

skip() {
    echo "tap-ping: SKIP: $*"
    exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (it makes a network namespace and a TAP device in it)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (the tun module or a container without it)"
command -v ip >/dev/null || skip "no ip command (package iproute2)"
ping=""
for candidate in /usr/bin/ping /bin/ping; do
    if [ -x "$candidate" ] && "$candidate" -V 2>&1 | grep -q iputils; then
        ping=$candidate
        break
    fi
done
[ -n "$ping" ] || skip "no iputils ping (package iputils-ping)"

ns=unigornel-tap-$$
ip netns add "$ns" 2>/dev/null || skip "cannot make a network namespace (ip netns add)"

work=$(mktemp -d)
trap 'rm -rf "$work"; ip netns delete "$ns"' EXIT
# Compiled outside the namespace (the caller's build cache), run inside it.
cd "$dir"
GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 "$go" test -c -o "$work/netstack.test" ./netstack
cd netstack
ip netns exec "$ns" env UNIGORNEL_TAP_TEST=1 UNIGORNEL_PING="$ping" \
    "$work/netstack.test" -test.run '^TestTapPing$' -test.count=1 -test.v
