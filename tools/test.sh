#!/usr/bin/env bash
# The whole test suite: host unit tests (GoogleTest), the checker's own tests (pytest), the book
# build, and every stage booted on real Xen in the embedded test host.  CI runs exactly this.
#   tools/test.sh [ctest arguments...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
install_and_build
status=0
ctest --test-dir build --output-on-failure "$@" || status=$?
if [ "$status" -ne 0 ]; then
    # A log is often read from its end (CI keeps the tail): repeat there what failed, in the
    # one-line form pytest's short summary gives each failing case (scenario and verdict).
    log=build/Testing/Temporary/LastTest.log
    echo
    echo "=== what failed, repeated from above (full text in $log) ==="
    if [ -r "$log" ]; then
        grep -E '^(FAILED|ERROR) |^\[  FAILED  \]' "$log" | cut -c1-400 | head -40 || true
    fi
    [ -r build/Testing/Temporary/LastTestsFailed.log ] && sed 's/^/failed test: /' build/Testing/Temporary/LastTestsFailed.log
fi
# Flaky scenarios (passed only on a second run) are never hidden: the same, for warnings.
if [ -r build/Testing/Temporary/LastTest.log ]; then
    grep -E 'passed only on its second run' build/Testing/Temporary/LastTest.log | cut -c1-400 | head -20 || true
fi
exit "$status"
