"""One run per build directory: refused with the other run named, --wait, a dead run's lock."""
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from checker import cli
from checker.errors import HostError, UsageError
from checker.runlock import RunLock

REPO_ROOT = Path(__file__).resolve().parents[2]  # where `checker` can be imported from


def lock_in_another_process(build_dir, command: str) -> subprocess.Popen:
    """A process that takes the run lock on build_dir and holds it for 30 s (or until killed)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from checker.runlock import RunLock\n"
         f"with RunLock(Path(sys.argv[1]), False, print, {command!r}):\n"
         "    print('held', flush=True); time.sleep(30)", str(build_dir)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "held\n"
    return proc


def test_a_second_run_is_refused_naming_the_first(tmp_path):
    with RunLock(tmp_path, wait=False, log=print, command="python3 -m checker run 03"):
        with pytest.raises(UsageError) as caught:
            with RunLock(tmp_path, wait=False, log=print):
                pass
    message = str(caught.value)
    assert f"another checker run is using the build directory {tmp_path}" in message
    assert f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d')}" in message
    assert "`python3 -m checker run 03`" in message and "--wait" in message


def test_a_run_held_by_another_process_refuses_the_command_line(tmp_path, capsys):
    holder = lock_in_another_process(tmp_path, "holder")
    try:
        (tmp_path / "stages").mkdir()
        assert cli.main(["--repo", str(tmp_path), "--build-dir", str(tmp_path), "run"]) == 2
        assert f"(pid {holder.pid}, started " in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_wait_waits_for_the_other_run(tmp_path):
    said: list[str] = []
    first = RunLock(tmp_path, wait=False, log=print, command="first").__enter__()
    release = threading.Timer(0.3, first.__exit__)
    release.start()
    t0 = time.monotonic()
    with RunLock(tmp_path, wait=True, log=said.append):
        assert time.monotonic() - t0 >= 0.25
    release.join()
    assert len(said) == 1 and said[0].startswith("checker: waiting for the other run on this build directory")
    assert "`first`" in said[0]


def test_the_lock_of_a_killed_run_is_taken_over_with_a_line_saying_so(tmp_path):
    victim = lock_in_another_process(tmp_path, "victim")
    victim.kill()  # like kill -9: no `with` block ends, the pid stays in the file
    victim.wait()
    said: list[str] = []
    with RunLock(tmp_path, wait=False, log=said.append):
        pass
    assert len(said) == 1
    assert said[0].startswith("checker: took over the run lock of a run that ended without releasing it")
    assert f"pid {victim.pid}" in said[0] and "that process is gone" in said[0]
    # A clean end empties the file: the next run says nothing.
    said.clear()
    with RunLock(tmp_path, wait=False, log=said.append):
        pass
    assert said == []


def test_a_lock_that_cannot_be_created_is_a_host_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(HostError, match="cannot create the run lock .*--build-dir"):
        with RunLock(tmp_path / "file", wait=False, log=print):
            pass
