"""The two back ends a command boots guests on, chosen with --backend: the embedded test host
(QEMU running Xen, testhost/qemu.py) or this machine's own Xen through xl (testhost/xl_local.py).

`run`, `record`, `console` and `debug` open one host; `grade` opens one per host boot, possibly
from several threads (opener()).  The payload is what dom0 gets on that boot: the kernels, and
the frame files of the corpora that the scenarios' send_frames steps name (payload()).
"""
from __future__ import annotations

import argparse
import contextlib
import threading
from pathlib import Path
from typing import Callable, ContextManager, Iterable, Iterator

from . import network
from .runner import Host
from .spec import Scenario

# Opens a host that holds the payload ({name: file}), with its files in the directory.
OpenHost = Callable[[dict[str, Path], Path], ContextManager[Host]]


def add_options(parser: argparse.ArgumentParser) -> None:
    """--backend and --accel, for every command that boots guests."""
    parser.add_argument("--backend", choices=["qemu", "xl"], default="qemu",
                        help="qemu: the embedded Xen test host (default); xl: this machine's Xen")
    parser.add_argument("--accel", choices=["auto", "tcg", "kvm"], default="auto",
                        help="QEMU accelerator for the test host (default: KVM if it can run Xen)")


def payload(kernels: dict[str, Path], scenarios: Iterable[Scenario], frames_dir: Path) -> dict[str, Path]:
    """Everything dom0 needs on one host boot: the kernels, and the frame files (written into
    frames_dir) of the corpora that the scenarios' send_frames steps name; they reach dom0 the
    way kernels do."""
    corpora = {step.send_frames for sc in scenarios for step in sc.inputs if step.kind == "frames"}
    if not corpora:
        return kernels
    return kernels | network.write_frame_payloads(corpora, frames_dir)


@contextlib.contextmanager
def open_host(backend: str, accel: str, image_cache: Path, workdir: Path, files: dict[str, Path],
              log: Callable[[str], None], gdb_socket: Path | None = None,
              image_lock: ContextManager | None = None) -> Iterator[Host]:
    """The host, up, holding `files`, with its own files in `workdir`; torn down on leaving.

    image_cache: where the test host's image is built or found (not used by xl).  gdb_socket:
    where QEMU's gdb server listens (`checker debug`).  image_lock: held while the image is
    built or checked, when several hosts may be opened at once.
    """
    if backend == "xl":
        from .testhost.xl_local import LocalXlHost
        with LocalXlHost(workdir, files, log) as host:
            yield host
        return
    from .testhost import image
    from .testhost.qemu import QemuXenHost
    with image_lock or contextlib.nullcontext():
        img = image.build(image_cache, log)
    with QemuXenHost(img, workdir, files, accel, log, gdb_socket=gdb_socket) as host:
        yield host


def opener(backend: str, accel: str, image_cache: Path, log: Callable[[str], None]) -> OpenHost:
    """open_host for `grade`: the host's files in a directory of the grader's choosing, one
    boot after another or several at once (the image is then built, or checked, once at a time)."""
    building = threading.Lock()

    def open_one(files: dict[str, Path], workdir: Path) -> ContextManager[Host]:
        return open_host(backend, accel, image_cache, workdir, files, log, image_lock=building)
    return open_one
