#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what the kit needs, build every stage,
# build the Xen test host, boot each stage on Xen and print the checker's report.
#   tools/setup.sh [STAGE...]       (as root; extra arguments go to `python3 -m checker run`)
#   tools/setup.sh --build-only     the same set-up, but nothing is booted or tested: for a lab
#                                   (tools/make-lab.py), whose stages are not written yet
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_only=0
if [ "${1:-}" = "--build-only" ]; then
    build_only=1
    shift
    if [ $# -ne 0 ]; then
        echo "error: --build-only takes no stages: it builds the whole kit and runs nothing" >&2
        exit 2
    fi
fi
install_and_build
/usr/bin/python3 -m checker host-image
if [ "$build_only" -eq 1 ]; then
    echo "setup: the kit and the test host are built; nothing was run."
    echo "setup: host tests: ctest --test-dir build -R '^NN-name\\.'   a stage on Xen: python3 -m checker run NN-name"
    exit 0
fi
exec /usr/bin/python3 -m checker run "$@"
