"""Tells a build that failed because of this machine from a build that failed because of the code.

A full disk, a read-only mount or a build directory owned by someone else makes CMake fail with
"the kernel did not build", and a student then hunts for a bug that is not in their code.  So
the checker looks at the build directory before it builds (can a file be written there, is
there room?) and reads a failed build's log for the operating system's words for these causes.
Both give a HOST-ERROR that names the real cause.
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

# A stage's build tree is 100-150 MiB (Go's runtime archive, the kernel, the objects); with less
# than this free, a build from scratch fails for certain.  An incremental build may need less,
# and the log scan below still catches a disk that fills up during the build.
MIN_FREE_MB = 100
# A run's results: each scenario's console (at most max_console_bytes, 256 KiB by default),
# its diff and result.json, for some tens of scenarios.
RESULTS_FREE_MB = 16
MIB = 1024 * 1024

# What the C library says (strerror) for the causes that are the machine's, not the code's.
_MACHINE_WORDS = ("No space left on device", "Disk quota exceeded", "Read-only file system")
_DENIED = "Permission denied"


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "its file system is full (No space left on device)"
    if exc.errno == errno.EROFS:
        return "it is on a read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "you may not write there (Permission denied)"
    return exc.strerror or str(exc)


def probe(build_dir: Path, building: bool = True) -> str | None:
    """Says why nothing can be built in `build_dir`, or None when it looks usable.

    building False (`run --no-build`): only the results are written there, consoles and
    diffs, and RESULTS_FREE_MB is enough."""
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".checker-probe-", dir=build_dir)
        try:
            os.write(fd, b"\0" * 4096)  # a file system can be full while a new name still fits
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        return (f"cannot write to the build directory {build_dir}: {_reason(exc)}. "
                "Make room there, or choose another directory with --build-dir")
    stat = os.statvfs(build_dir)
    free = stat.f_bavail * stat.f_frsize
    need_mb = MIN_FREE_MB if building else RESULTS_FREE_MB
    if free >= need_mb * MIB:
        return None
    why = (f"building a stage needs about {need_mb} MiB (the build would fail with 'No space left on device')"
           if building else f"the results of a run need up to {need_mb} MiB")
    return (f"the build directory {build_dir} has only {free // MIB} MiB free and {why}. Make room there, "
            "or choose another directory with --build-dir")


def machine_cause(build_log: str, build_dir: Path) -> str | None:
    """The line of a failed build's log that shows the machine was at fault, if there is one.

    "Permission denied" counts only on a line naming the build directory: elsewhere it can be
    the code's own fault (say, a script in the stage that is not executable).
    """
    for line in build_log.splitlines():
        if any(words in line for words in _MACHINE_WORDS) or (_DENIED in line and str(build_dir) in line):
            return (f"the build failed because of this machine, not the code: {line.strip()}\n"
                    f"Check the file system of {build_dir} (free space, read-only mount, owner), "
                    "or choose another directory with --build-dir")
    return None
