#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what the kit needs, build every stage,
# build the Xen test host, boot each stage on Xen and print the checker's report.
#   tools/setup.sh [STAGE...]       (as root; extra arguments go to `python3 -m checker run`)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
install_and_build
/usr/bin/python3 -m checker host-image
exec /usr/bin/python3 -m checker run "$@"
