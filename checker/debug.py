"""`python3 -m checker debug STAGE[/SCENARIO]`: a stage's guest under the user's gdb.

Why QEMU's gdb server and not Xen's gdbsx: Debian's xen-utils-4.17 does not ship gdbsx (its
package lists xenctx but no tools/debugger), and the test host is a QEMU machine anyway.
QEMU's server debugs that whole machine -- Xen, dom0 and the guest -- by virtual address, so:

  * breakpoints are hardware ones (`hbreak`): they match an address whatever page tables are
    live, so one set while Xen or dom0 runs still fires when the guest reaches it.  Our kernels
    are linked at 0..2 MiB, below Linux's mmap_min_addr (64 KiB) for the first page and far
    below every dom0 program (static busybox starts at 4 MiB, the rest are PIE at 0x55...), and
    Xen lives at 0xffff82d0..., so only the guest reaches them;
  * gdb's "threads" are the test host's two CPUs; the guest runs on whichever Xen picks;
  * while gdb has the machine stopped, all of it stops: dom0, the agent, the guest's timers.

The domain is created paused (agent RUN ... paused).  The checker sits between gdb and QEMU's
socket (a TCP port for gdb on this machine only, QEMU's unix socket on the other side) and
unpauses the domain when gdb first lets the machine run (c, s, vCont;c ...), so the user's
breakpoints are in place before the guest's first instruction.  When gdb leaves, the domain is
destroyed and the test host shut down.  session() speaks the agent protocol for all of this.
"""
from __future__ import annotations

import re
import select
import socket
import threading
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import HostError

COMMANDS_FILE = "gdb-commands"

# Remote-protocol packets that make the target run: c/C continue, s/S step, vCont with a
# c/C/s/S action (gdb's usual form).  A packet is $<data>#<checksum>.
_RUN_PACKET = re.compile(rb"\$(?:[cCsS]|vCont;[cCsS])")


def lets_it_run(data: bytes) -> bool:
    """Whether gdb's bytes hold a packet that lets the machine run ("vCont?" only asks)."""
    return _RUN_PACKET.search(data) is not None


def gdb_commands(elf: Path, port: int, first_function: str) -> str:
    """The commands file the user's gdb reads: the kernel's symbols, the connection, a hint."""
    return (
        "# Written by `python3 -m checker debug`; read with: gdb -q -x <this file>\n"
        "# Go's c-archive names a Python helper in .debug_gdb_scripts that is not here.\n"
        "set auto-load python-scripts off\n"
        f"file {elf}\n"
        f"target remote 127.0.0.1:{port}\n"
        'echo \\nThe guest is created and paused; it starts at your first continue.\\n\n'
        "echo Breakpoints must be hardware ones: hbreak, not break (see book/setup.md).\\n\n"
        f"echo For instance:  hbreak {first_function}   then   continue\\n\\n\n")


class Relay:
    """Carries one gdb connection to QEMU's gdb socket, in a thread: the session ends with it.

    `running` is set the first time gdb lets the machine run; `left` when the connected gdb
    has gone again (or the relay failed: `problem` then says how)."""

    def __init__(self, qemu_socket: Path, port: int):
        self.qemu_socket = qemu_socket
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.running = threading.Event()
        self.left = threading.Event()
        self.problem = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="gdb-relay", daemon=True)

    def start(self) -> "Relay":
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self.listener.close()
        self._thread.join(2)

    def _serve(self) -> None:
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([self.listener], [], [], 0.2)
                if not ready:
                    continue
                gdb, _ = self.listener.accept()
                with gdb, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as qemu:
                    qemu.connect(str(self.qemu_socket))
                    self.connected.set()
                    self._carry(gdb, qemu)
                self.left.set()
                return
        except OSError as e:
            if not self._stop.is_set():
                self.problem = f"the connection to QEMU's gdb server failed: {e}"
                self.left.set()

    def _carry(self, gdb: socket.socket, qemu: socket.socket) -> None:
        other = {gdb: qemu, qemu: gdb}
        while not self._stop.is_set():
            ready, _, _ = select.select([gdb, qemu], [], [], 0.2)
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is gdb and not self.running.is_set() and lets_it_run(data):
                    self.running.set()
                other[sock].sendall(data)


def session(link, relay: Relay, run_fields: list[str], scenario_id: str, commands: Path,
            log: Callable[[str], None], out: BinaryIO) -> int:
    """Starts the guest paused (the agent's RUN fields, ending in "paused"), unpauses it when
    gdb first lets the machine run, copies its console to `out`, and destroys it when gdb has
    left (unless it ended by itself).  0, or 1 when the relay failed."""
    name = run_fields[1]
    link.send(*run_fields)
    relay.start()
    log(f"debug: {scenario_id} is created and paused as domain {name}; in another terminal type:\n\n"
        f"    gdb -q -x {commands}\n\n"
        f"(gdb connects to 127.0.0.1:{relay.port}; the guest starts at gdb's first continue, "
        "and when gdb quits the domain is destroyed and the test host shut down)")
    ended = ""
    said_running = False
    while not relay.left.is_set():
        if relay.running.is_set() and not said_running:
            said_running = True
            link.send("SH", f"xl unpause {name}".encode().hex())
            log("debug: gdb let the machine run; the guest is unpaused")
        msg = link.recv(0.2)
        if msg is None:
            if link.closed:
                raise HostError("the test host closed the agent line during the debug session")
            continue
        if msg.kind == "CON" and len(msg.fields) > 1:
            out.write(bytes.fromhex(msg.fields[1]))
            out.flush()
        elif msg.kind == "SHRC" and msg.fields and msg.fields[0] != "0":
            log("debug: xl unpause failed; the guest stays paused")
        elif msg.kind == "END" and not ended:
            ended = msg.fields[0] if msg.fields else "?"
            log(f"\ndebug: the guest ended ({ended}); quit gdb to end the session")
    if relay.problem:
        log(f"debug: {relay.problem}")
    if not ended:
        link.send("KILL")
    log("debug: gdb left; " + ("the domain was destroyed" if not ended else f"the guest had ended ({ended})")
        + ", and the test host is shut down")
    return 0 if not relay.problem else 1
