"""Builds the stage kernels through the repository's CMake project.

The checker shares the build tree with `ctest` (default: <repo>/build), configures it when
needed and builds one target per stage (`stage-01-link` → build/stages/01-link/kernel.elf), so
a stage that does not compile is a BUILD-ERROR for that stage only.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from . import buildenv
from .errors import HostError

LOG_TAIL_LINES = 40


@dataclasses.dataclass
class BuildResult:
    ok: bool
    log_tail: str
    seconds: float
    machine_cause: str | None = None  # set when the log shows the machine failed (buildenv.py)


def _result(proc: subprocess.CompletedProcess, build_dir: Path, t0: float) -> BuildResult:
    log = proc.stdout + proc.stderr
    ok = proc.returncode == 0
    return BuildResult(ok, _tail(log), time.monotonic() - t0,
                       None if ok else buildenv.machine_cause(log, build_dir))


def _tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    """The end of a compiler log, starting at the first line that says "error" if there is one."""
    all_lines = text.rstrip().splitlines()
    for i, line in enumerate(all_lines):
        if "error" in line.lower() or "undefined reference" in line:
            return "\n".join(all_lines[max(0, i - 3):i - 3 + lines])
    return "\n".join(all_lines[-lines:])


def configure(repo: Path, build_dir: Path, log: Callable[[str], None]) -> BuildResult:
    if shutil.which("cmake") is None:
        raise HostError("cmake is not installed: run tools/setup.sh (as root) first")
    if (build_dir / "CMakeCache.txt").exists():
        return BuildResult(True, "", 0.0)
    log(f"build: configuring {build_dir}")
    t0 = time.monotonic()
    proc = subprocess.run(["cmake", "-S", str(repo), "-B", str(build_dir)], capture_output=True, text=True)
    return _result(proc, build_dir, t0)


def build_stage(build_dir: Path, stage: str, log: Callable[[str], None]) -> BuildResult:
    log(f"build: {stage}")
    t0 = time.monotonic()
    jobs = str(os.cpu_count() or 2)
    proc = subprocess.run(["cmake", "--build", str(build_dir), "--target", f"stage-{stage}", "--parallel", jobs],
                          capture_output=True, text=True)
    return _result(proc, build_dir, t0)


def kernel_path(build_dir: Path, stage: str, kernel: str) -> Path:
    return build_dir / "stages" / stage / kernel
