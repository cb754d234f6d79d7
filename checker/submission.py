"""A class's submissions for `checker grade`: which stages each one holds, and a private copy of
a stage to build.

A submission is one directory per student, and the directory's name is the student's name in
the grade table.  Two layouts are accepted:

  * a copy of the kit:        alice/stages/06-hello/...   (anything else in alice/ is ignored)
  * only stage directories:   alice/06-hello/...

If DIR/stages/ exists it is where the stages are; otherwise DIR itself.  A stage the grader asks
for that the submission lacks is MISSING for that student, not an error of the run.

Only a stage's own directory is taken from the student.  Its build rules (the kit's cmake/ and
tools/) and everything that judges it (stage.toml, the expected transcripts) come from the
grader's kit, so a student can neither loosen the comparison nor edit their expected output.
The stage is copied before it is built: the build then cannot write into the submission (Go's
-mod=mod may touch go.sum), and a submission changed during grading is not half-built.
The copy is kept up to date rather than made anew (copy_stage), so that grading a class again
rebuilds only what changed.
"""
from __future__ import annotations

import filecmp
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .spec import Stage

# grade-out/test-host holds the test host's files; a student of that name would collide with it.
RESERVED_NAMES = ("test-host",)
# The name becomes a directory, a CSV cell and a JUnit suite name: no spaces, no surprises.
STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# A stage of the kit has a few hundred files; a submission with far more is not a stage.
MAX_FILES = 20000


class CopyRefused(Exception):
    """The student's stage directory cannot be copied for a build (too big, too many files)."""


@dataclass(frozen=True)
class Submission:
    student: str
    directory: Path               # the directory named on the command line, resolved
    stages_root: Path             # where its NN-name directories are: directory/stages or directory
    present: dict[str, Path]      # stage name -> the student's directory of it, for the stages asked for

    def layout(self) -> str:
        """How this submission is laid out, in words, for the progress line."""
        return "a copy of the kit" if self.stages_root != self.directory else "stage directories"


def find(directories: list[Path], stages: list[Stage]) -> list[Submission]:
    """One Submission per directory, in the order given; refuses names that cannot be graded."""
    found: list[Submission] = []
    seen: dict[str, Path] = {}
    for given in directories:
        directory = given.resolve()
        if not directory.is_dir():
            raise UsageError(f"{given}: not a directory (name one directory per student)")
        student = directory.name
        if not STUDENT_RE.match(student):
            raise UsageError(f"{given}: the directory's name is the student's name in the grade table and "
                             "the name of their output directory, so it may hold only letters, digits, "
                             f"'.', '_' and '-' (got {student!r}); rename it")
        if student in RESERVED_NAMES:
            raise UsageError(f"{given}: a submission may not be called {student!r}, the output directory "
                             "uses that name for the test host's files; rename it")
        if student in seen:
            raise UsageError(f"two submissions have the same name {student!r}: {seen[student]} and "
                             f"{directory}; the name is the student's row in the grade table, so rename one")
        seen[student] = directory
        root = directory / "stages" if (directory / "stages").is_dir() else directory
        present = {stage.name: root / stage.name for stage in stages if (root / stage.name).is_dir()}
        found.append(Submission(student, directory, root, present))
    return found


def _measure(source: Path, limit_bytes: int) -> tuple[int, int]:
    """Bytes and files under `source` (links and special files not followed); stops early
    once over a limit, so that a huge submission costs no more than the limit to look at."""
    size = files = 0
    for top, dirs, names in os.walk(source):
        for name in names + dirs:
            files += 1
            try:
                info = os.lstat(os.path.join(top, name))
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                size += info.st_size
            if size > limit_bytes or files > MAX_FILES:
                return size, files
    return size, files


def _same_file(source: Path, target: Path) -> bool:
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return False
    # shallow=False: the bytes are compared, whatever the times say.
    return stat.S_ISREG(info.st_mode) and filecmp.cmp(source, target, shallow=False)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def copy_stage(source: Path, dest: Path, limit_bytes: int) -> list[str]:
    """Makes `dest` a copy of a student's stage directory.

    A file whose bytes are already in `dest` is left alone, a changed one is written anew (so
    its time is now), and what the submission no longer has is removed: the build tree that
    make keeps beside it then rebuilds exactly what changed.  Copying the student's own file
    times instead would let a fixed file from an unpacked archive look older than the object
    built from its first version, and the old kernel would be graded.  Symbolic links are
    copied as links; anything else (a FIFO, a device node) is left out, since reading a FIFO
    would block the grader forever.  Returns one note per file left out; raises CopyRefused
    when the directory is over `limit_bytes` or MAX_FILES.
    """
    size, files = _measure(source, limit_bytes)
    if size > limit_bytes:
        raise CopyRefused(f"{source} holds more than {limit_bytes // (1024 * 1024)} MiB; a stage's sources "
                          "are far smaller (left-over build files?), so it was not built")
    if files > MAX_FILES:
        raise CopyRefused(f"{source} holds more than {MAX_FILES} files; a stage has a few hundred, so it "
                          "was not built")
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        _remove(dest)
    notes: list[str] = []
    kept: set[Path] = set()
    for top, dirs, names in os.walk(source):
        here = Path(top)
        target_dir = dest / here.relative_to(source)
        if target_dir.is_symlink() or (target_dir.exists() and not target_dir.is_dir()):
            _remove(target_dir)
        target_dir.mkdir(parents=True, exist_ok=True)
        kept.add(target_dir)
        for name in list(dirs):
            if (here / name).is_symlink():
                dirs.remove(name)  # os.walk does not descend into it; copy the link itself
                names.append(name)
        for name in names:
            path, target = here / name, target_dir / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                link = os.readlink(path)
                if not (target.is_symlink() and os.readlink(target) == link):
                    _remove(target)
                    os.symlink(link, target)
            elif stat.S_ISREG(info.st_mode):
                if not _same_file(path, target):
                    _remove(target)
                    shutil.copyfile(path, target)
                    shutil.copymode(path, target)
            else:
                notes.append(f"left out {path}: not a regular file, directory or link")
                continue
            kept.add(target)
    for top, dirs, names in os.walk(dest, topdown=False):
        for name in names + dirs:
            if (Path(top) / name) not in kept:
                _remove(Path(top) / name)
    return notes


def source_tree(kit: Path, src: Path) -> None:
    """Makes `src` the top of a tree a stage can be built in on its own.

    A stage's CMakeLists.txt includes ../../cmake/unigornel_stage.cmake, which runs scripts
    from ../../tools: both are links to the grader's kit, so every student is built by the
    same rules.  The student's stages go into src/stages/.
    """
    (src / "stages").mkdir(parents=True, exist_ok=True)
    for name in ("cmake", "tools"):
        link = src / name
        if link.is_symlink() or link.exists():
            if link.is_symlink() and Path(os.readlink(link)) == kit / name:
                continue
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)
            else:
                link.unlink()
        link.symlink_to(kit / name)
