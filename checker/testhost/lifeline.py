"""Makes a child process die with the checker, however the checker dies.

The test host's QEMU runs in its own session (so that the checker can kill its whole process
group), which also means no terminal's Ctrl-C and no signal to the checker reaches it.  The
checker's `with` blocks tear it down on every exit Python sees, but not on kill -9, an OOM kill
or a crash of the interpreter: then QEMU would boot on, alone, holding 2 GiB and a CPU.

Linux's PR_SET_PDEATHSIG asks the kernel to send the child a signal when its parent dies; it
is set in the child between fork and exec (a Popen preexec_fn) and survives the exec.  Two
details matter:
  * the "parent" is the thread that forked.  `run` starts QEMU from its main thread, whose
    end is the end of the process; `grade --hosts N` starts each host from its lane's thread,
    which outlives the host (it closes the host before it ends) and ends at the latest with
    the process.
  * the parent may already have died before the child's prctl ran; then the child has been
    re-parented and would wait for a signal that never comes, so it checks and exits itself.
"""
from __future__ import annotations

import ctypes
import os
import signal
from typing import Callable

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A preexec_fn for subprocess.Popen: the child gets `sig` when this process dies."""
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)  # looked up here: preexec_fn should do little

    def preexec() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            os._exit(127)  # better no QEMU than one that can outlive us
        if os.getppid() != parent:
            os._exit(1)    # the parent died before prctl: nobody will send the signal
    return preexec
