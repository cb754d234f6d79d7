"""A child started with die_with_parent() (as QEMU is) does not outlive a parent killed with -9."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # where `checker` can be imported from

# The "checker": starts `sleep 60` the way qemu.py starts QEMU, says its pid, then waits.
PARENT = """
import subprocess, time
from checker.testhost.lifeline import die_with_parent
child = subprocess.Popen(["sleep", "60"], start_new_session=True, preexec_fn=die_with_parent())
print(child.pid, flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_a_child_dies_when_its_parent_is_killed_with_sigkill():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        assert _running(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(child), "the child outlived its parent"
    finally:
        if _running(child):
            os.kill(child, signal.SIGKILL)


def test_qemu_is_started_with_the_lifeline():
    source = (REPO_ROOT / "checker" / "testhost" / "qemu.py").read_text()
    assert "preexec_fn=die_with_parent()" in source
