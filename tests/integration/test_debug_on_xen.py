"""`checker debug` with a real gdb on the real test host: a breakpoint on kernel_main, then one
on the kernel's system-call entry, where stage 03's Go runtime makes its first system call.

The checker is started as a user would (`python3 -m checker debug 03-tls --port 0`); its output
gives the one gdb command, and gdb runs that commands file in batch mode with a few commands
of ours after it.  When gdb detaches, the checker must destroy the domain, shut the test host
down and end by itself with exit code 0.

Boots QEMU: run by ctest as xen.debug, under the xen-test-host resource lock; the checker takes
the run lock on the build directory itself.  About 35 s under TCG.
"""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
# Whatever the checker prints before its gdb line: a build, an image, a host boot under TCG.
READY_S = 300
GDB_S = 120


def read_until(proc: subprocess.Popen, pattern: str, limit_s: float) -> tuple[re.Match, str]:
    seen = ""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        if match := re.search(pattern, seen):
            return match, seen
    pytest.fail(f"the checker never printed {pattern!r}; it printed:\n{seen}")


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed (tools/packages.txt has it)")
def test_gdb_stops_at_kernel_main_and_at_the_first_system_call():
    checker = subprocess.Popen(
        [sys.executable, "-m", "checker", "--build-dir", str(BUILD_DIR), "debug", "03-tls", "--port", "0",
         "--wait"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        match, said = read_until(checker, r"gdb -q -x (\S+)\n", READY_S)
        assert "is created and paused" in said
        commands = match.group(1)
        gdb = subprocess.run(
            ["gdb", "-q", "-batch", "-x", commands,
             "-ex", "hbreak kernel_main", "-ex", "continue",
             "-ex", "hbreak syscall_dispatch", "-ex", "continue",
             "-ex", "print call->nr", "-ex", "bt 2", "-ex", "detach"],
            capture_output=True, text=True, timeout=GDB_S)
        out = gdb.stdout + gdb.stderr
        assert re.search(r"hit Breakpoint 1, kernel_main \(si=0x[0-9a-f]+\) at \S+/03-tls/kernel/main\.cpp", out), out
        assert re.search(r"hit Breakpoint 2, syscall_dispatch \(call=", out), out
        # Go's first system call in stage 03: sched_getaffinity (204), from runtime.getproccount.
        assert "$1 = 204" in out, out
        assert "unigornel_syscall" in out, out
        rest, _ = checker.communicate(timeout=60)
        said += rest
        assert checker.returncode == 0, said
        assert "gdb let the machine run; the guest is unpaused" in said
        assert "gdb left; the domain was destroyed, and the test host is shut down" in said
    finally:
        if checker.poll() is None:
            checker.kill()
            checker.wait()
