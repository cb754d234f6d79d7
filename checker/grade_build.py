"""Builds one stage of one student's submission for `checker grade`, within limits.

Each student has a build directory of their own under the grader's output directory:

    grade-out/<student>/src/stages/<stage>/   a copy of the student's stage (submission.py)
    grade-out/<student>/src/{cmake,tools}     links to the grader's build rules
    grade-out/<student>/build/<stage>/        the stage's CMake build tree
    grade-out/<student>/build/<stage>.log     everything its configure and build printed

Every stage is configured and built on its own (`cmake -S src/stages/<stage>`, which every
stage's CMakeLists.txt supports), so a stage whose CMakeLists.txt is broken fails only itself.
The build tree is kept between runs: grading the same submission again rebuilds only what
changed (delete the build directory for a build from scratch).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import bounded, buildenv, submission
from .build import _tail as build_log_tail

MIB = 1024 * 1024
LOG_READ_BYTES = 256 * 1024  # of a failed build's log, the end is read: it may be huge


@dataclass(frozen=True)
class Limits:
    """What one stage's build may cost."""

    # Stage 06 from scratch on this 2-core machine: 14 s, and 160 MiB of build tree and log; 43 s
    # while another run's test host took the cores.  The limits leave room for slower machines.
    build_s: float = 600.0     # configure and build together
    build_mb: int = 1024       # its build tree and log
    source_mb: int = 64        # the student's stage directory (the kit's largest stage: under 1 MiB)
    kernel_mb: int = 64        # the kernel file: it goes into dom0's memory with every other kernel
    jobs: int = os.cpu_count() or 2


@dataclass
class StageBuild:
    ok: bool
    kernel_dir: Path           # where the stage's kernel files are when ok
    seconds: float
    log_tail: str = ""         # the end of the build log (from its first error) when not ok
    stopped: str = ""          # why a limit stopped it ("it ran longer than 600 s")
    refused: str = ""          # why it was not even started (the submission cannot be copied)
    machine_cause: str = ""    # the build failed because of this machine (buildenv.py)
    notes: tuple[str, ...] = ()  # files of the submission that were left out of the copy


def paths(student_dir: Path, stage: str) -> tuple[Path, Path, Path]:
    """(the stage's copied sources, its build tree, its build log) for one student."""
    return (student_dir / "src" / "stages" / stage, student_dir / "build" / stage,
            student_dir / "build" / f"{stage}.log")


def _read_tail(log: Path) -> str:
    try:
        with open(log, "rb") as handle:
            handle.seek(max(0, log.stat().st_size - LOG_READ_BYTES))
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def _machine(exc: OSError, student_dir: Path) -> str:
    return (f"the build could not run because of this machine, not the code: {exc}\n"
            f"Check the file system of {student_dir} (free space, read-only mount, owner), "
            "or choose another directory with --out")


def build(kit: Path, source: Path, student_dir: Path, stage: str, limits: Limits,
          log: Callable[[str], None]) -> StageBuild:
    """Copies the student's `source` stage directory and builds its kernel."""
    src, tree, log_file = paths(student_dir, stage)
    t0 = time.monotonic()
    try:
        submission.source_tree(kit, src.parent.parent)
        notes = tuple(submission.copy_stage(source, src, limits.source_mb * MIB))
    except submission.CopyRefused as refused:
        return StageBuild(False, tree, 0.0, refused=str(refused))
    except OSError as exc:
        if exc.filename and str(exc.filename).startswith(str(source)):
            # A file of the submission that cannot be read (its permissions): the student's.
            return StageBuild(False, tree, 0.0, refused=f"{exc.filename} cannot be read: {exc.strerror}")
        return StageBuild(False, tree, 0.0, machine_cause=_machine(exc, student_dir))
    for note in notes:
        log(note)
    deadline = t0 + limits.build_s
    steps = (["cmake", "-S", str(src), "-B", str(tree)],
             ["cmake", "--build", str(tree), "--target", f"stage-{stage}", "--parallel", str(limits.jobs)])
    for cmd in steps:
        try:
            tree.mkdir(parents=True, exist_ok=True)
            with open(log_file, "wb" if cmd is steps[0] else "ab") as handle:
                handle.write(("$ " + " ".join(cmd) + "\n").encode())
            run = bounded.run(cmd, log_file, [tree], deadline, limits.build_s, limits.build_mb * MIB)
        except OSError as exc:
            return StageBuild(False, tree, time.monotonic() - t0, machine_cause=_machine(exc, student_dir))
        if run.stopped:
            return StageBuild(False, tree, time.monotonic() - t0, build_log_tail(_read_tail(log_file)),
                              stopped=run.stopped, notes=notes)
        if run.returncode != 0:
            text = _read_tail(log_file)
            return StageBuild(False, tree, time.monotonic() - t0, build_log_tail(text),
                              machine_cause=buildenv.machine_cause(text, tree) or "", notes=notes)
    return StageBuild(True, tree, time.monotonic() - t0, notes=notes)
