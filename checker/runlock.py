"""One checker run at a time per build directory.

Two runs on one build directory would share build/checker/host (the test host's work files,
its agent socket) and the result directories, and spoil each other without a word.  So a run
holds an exclusive flock(2) on build/checker/run.lock for its whole life and writes its pid,
start time and command line into the file for the next run's message.

flock is tied to the open file: the kernel drops it when the holder exits, however it exits
(even kill -9), so a dead run can never block the next one.  What a dead run does leave is its
line in the file; the next run finds it when it gets the lock and says it took over.  At a
normal end the file is emptied, not removed: removing a lock file lets a waiting run lock the
old, unlinked file while a third creates and locks a new one.
"""
from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path
from typing import Callable

from .errors import HostError, UsageError

LOCK_NAME = "run.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    return True


def _describe(text: str) -> str:
    """'pid 123, started 2026-12-01 20:31:50, `python3 -m checker run 03`' from the file's line."""
    pid, _, rest = text.strip().partition(" ")
    started, _, command = rest.partition(" ")
    try:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(started)))
    except ValueError:
        return f"the lock file says {text.strip()!r}"  # not a line this module wrote
    return f"pid {pid}, started {when}" + (f", `{command}`" if command else "")


class RunLock:
    """Context manager: holds the build directory's run lock, or refuses with who holds it."""

    def __init__(self, build_dir: Path, wait: bool, log: Callable[[str], None] = print,
                 command: str | None = None):
        self.path = build_dir / "checker" / LOCK_NAME
        self.wait = wait
        self.log = log
        self.command = command if command is not None else " ".join(["python3 -m checker", *sys.argv[1:]])
        self._file = None

    def _holder(self) -> str:
        self._file.seek(0)
        return self._file.read().strip()

    def __enter__(self) -> "RunLock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise HostError(f"cannot create the run lock {self.path}: {exc.strerror or exc} "
                            "(the build directory must be writable; choose another with --build-dir)") from None
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            who = _describe(holder) if holder else "a run that has not written its pid yet"
            if not self.wait:
                self._file.close()
                raise UsageError(f"another checker run is using the build directory {self.path.parent.parent} "
                                 f"({who}); wait for it to end, run this one with --wait, or use "
                                 "another --build-dir") from None
            self.log(f"checker: waiting for the other run on this build directory to end ({who})")
            fcntl.flock(self._file, fcntl.LOCK_EX)
        left = self._holder()
        if left:
            # Whoever wrote it did not empty the file at its end: it died without cleaning up.
            pid = left.split(" ", 1)[0]
            gone = "is gone" if pid.isdigit() and not _pid_alive(int(pid)) else "no longer holds it"
            self.log(f"checker: took over the run lock of a run that ended without releasing it "
                     f"({_describe(left)}; that process {gone})")
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()} {time.time():.0f} {self.command}\n")
        self._file.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is None:
            return
        self._file.seek(0)
        self._file.truncate()
        self._file.close()  # closing drops the flock
        self._file = None
