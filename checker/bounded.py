"""Runs a command that the grader does not trust (a student's build) within limits.

`checker grade` builds every student's stages, and one student's build must cost only its own
limits: a build that hangs is stopped at its time limit, and one that writes without end (a
generated file in a loop, a log flood) is stopped at its size limit, before it fills the disk
the other students' builds and the test host need.  Stopped means the whole process group is
killed, the compilers and anything they started with it.

The size is what the command's directories hold on disk, looked at every SIZE_POLL_S; between
two looks a fast writer can pass the limit by what it writes in that time, so each process
also gets RLIMIT_FSIZE (no single file beyond the limit, the log included) and no core files.
RLIMIT_AS keeps one process of the build from taking the machine's memory (the test host's
QEMU would be the one the kernel's OOM killer finds).

This is not a sandbox: the build runs as the grader's user and could do anything that user
can (leave its process group, write elsewhere).  Grade untrusted code in a throwaway account
or container.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .testhost.lifeline import die_with_parent

SIZE_POLL_S = 1.0
MIB = 1024 * 1024
# Per process: the largest seen in a stage's build is Go's linker, well under 1 GiB.
ADDRESS_SPACE_LIMIT = 8 * 1024 * MIB


@dataclass
class BoundedRun:
    returncode: int | None  # None when the command was stopped
    stopped: str            # "" or why it was stopped, as a sentence's end: "it ran longer than 600 s"
    seconds: float


def disk_usage(paths: list[Path]) -> int:
    """Bytes on disk under `paths` (allocated blocks, so a sparse file counts what it uses)."""
    total = 0
    stack = [str(p) for p in paths]
    while stack:
        path = stack.pop()
        try:
            info = os.lstat(path)
        except OSError:
            continue  # removed while we looked: a build deletes its temporary files
        total += info.st_blocks * 512
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                with os.scandir(path) as entries:
                    stack.extend(entry.path for entry in entries)
            except OSError:
                continue
    return total


def _limits(size_limit: int):
    lifeline = die_with_parent()

    def preexec() -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        cap = size_limit if hard == resource.RLIM_INFINITY else min(size_limit, hard)
        resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = ADDRESS_SPACE_LIMIT if hard == resource.RLIM_INFINITY else min(ADDRESS_SPACE_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        lifeline()
    return preexec


def _too_big(used: int, size_limit: int) -> str:
    return f"it reached its output limit of {size_limit // MIB} MiB ({used // MIB} MiB written)"


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # nobody is left in the group


def run(cmd: list[str], log: Path, watch: list[Path], deadline: float, time_limit_s: float,
        size_limit: int, cwd: Path | None = None) -> BoundedRun:
    """Runs `cmd` with its output appended to `log`, until it ends, `deadline` (time.monotonic())
    passes, or `watch` plus the log hold more than `size_limit` bytes.

    time_limit_s: the limit that `deadline` enforces (it may be shared by several commands,
    a configure and a build), for the sentence that says why the command was stopped.
    """
    t0 = time.monotonic()
    if t0 >= deadline:
        return BoundedRun(None, f"it ran longer than {time_limit_s:g} s", 0.0)
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True, preexec_fn=_limits(size_limit))
    stopped = ""
    try:
        while True:
            try:
                proc.wait(timeout=max(0.01, min(SIZE_POLL_S, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() >= deadline:
                stopped = f"it ran longer than {time_limit_s:g} s"
            elif (used := disk_usage([*watch, log])) >= size_limit:
                # At the limit, not only beyond it: RLIMIT_FSIZE holds one file there, and a
                # build that retries the write would otherwise wait for its time limit.
                stopped = _too_big(used, size_limit)
            if stopped:
                _kill_group(proc.pid)
                proc.wait()
                break
    finally:
        # Also after a normal end: whatever the build left running in its group must not live
        # on into the next student's build.  And on Ctrl-C, the build goes with the grader.
        _kill_group(proc.pid)
        if proc.poll() is None:
            proc.wait()
    if not stopped and proc.returncode != 0 and (used := disk_usage([*watch, log])) >= size_limit:
        # A write that RLIMIT_FSIZE refused: the build failed, and this is why.
        stopped = _too_big(used, size_limit)
    return BoundedRun(None if stopped else proc.returncode, stopped, time.monotonic() - t0)
