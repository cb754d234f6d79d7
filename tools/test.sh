#!/usr/bin/env bash
# The whole test suite: host unit tests (GoogleTest), the checker's own tests (pytest), the book
# build, and every stage booted on real Xen in the embedded test host.  CI runs exactly this.
#   tools/test.sh [ctest arguments...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
install_and_build
exec ctest --test-dir build --output-on-failure "$@"
