"""The real-Xen back end: a lab machine whose dom0 has Xen's xl toolstack.

It runs the very agent the test host runs in its dom0 (agent/dom0_agent.cpp), locally, over a
pipe instead of a serial line, so starting domains, reading consoles and classifying their end
is the same code on both back ends.  The lab's xenconsoled must log guest consoles: on Debian,
XENCONSOLED_TRACE=guest in /etc/default/xencommons (logs go to /var/log/xen/console).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

from ..errors import HostError
from .image import agent_sources, compile_agent
from .link import AgentLink


class LocalXlHost:
    def __init__(self, workdir: Path, kernels: dict[str, Path], log: Callable[[str], None] = print,
                 console_log_dir: str = "/var/log/xen/console"):
        self.workdir = workdir
        self.kernels = kernels
        self.log = log
        self.console_log_dir = console_log_dir
        self.proc: subprocess.Popen | None = None
        self.link: AgentLink | None = None
        self.boot_seconds = 0.0
        self.accel_reason = "real Xen (xl)"
        self.xen_version = ""

    def kernel_path(self, name: str) -> str:
        return str(self.kernels[name].resolve())

    def local_file(self, name: str) -> Path | None:
        """The payload file `name` on this machine (the runner reads a kernel's symbols there)."""
        return self.kernels.get(name)

    def serial_tail(self, lines: int = 25) -> str:
        return "(real Xen: see `xl dmesg` and /var/log/xen on this machine)"

    def _agent(self) -> Path:
        """The agent, compiled here from this checkout's sources; on a machine without a C++
        compiler, an agent installed on it (the test host's dom0 has /bin/dom0_agent)."""
        agent = self.workdir / "dom0_agent"
        newest = max(p.stat().st_mtime for p in agent_sources())
        if agent.exists() and agent.stat().st_mtime >= newest:
            return agent
        if shutil.which("g++") is None:
            if installed := shutil.which("dom0_agent"):
                self.log(f"xl back end: no g++ on this machine; using the agent installed at {installed}")
                return Path(installed)
            raise HostError("--backend xl: the agent cannot be compiled here (no g++; package g++) and no "
                            "dom0_agent is installed")
        try:
            compile_agent(agent, static=False)  # into the work directory __enter__ has made
        except HostError as e:
            raise HostError(f"cannot compile the agent: {e}") from None
        return agent

    def __enter__(self) -> "LocalXlHost":
        xl = shutil.which("xl") or shutil.which("xl", path="/usr/sbin:/usr/lib/xen-4.17/bin")
        xsread = shutil.which("xenstore-read")
        if not xl:
            raise HostError("--backend xl: no `xl` on this machine (is it a Xen dom0 with xen-utils installed?)")
        if os.geteuid() != 0:
            raise HostError("--backend xl: xl needs root; run the checker as root on the Xen host")
        info = subprocess.run([xl, "info"], capture_output=True, text=True)
        if info.returncode != 0:
            raise HostError(f"--backend xl: `xl info` failed, is this machine running on Xen?\n{info.stderr.strip()}")
        for line in info.stdout.splitlines():
            if line.startswith("xen_version"):
                self.xen_version = line.split(":", 1)[1].strip()
        if not Path(self.console_log_dir).is_dir():
            raise HostError(f"--backend xl: {self.console_log_dir} does not exist; xenconsoled must log guest "
                            "consoles (XENCONSOLED_TRACE=guest in /etc/default/xencommons, then restart xencommons)")
        # The agent writes each guest's xl config into its work directory, under this one.
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = [str(self._agent()), "--line", "-", "--xl", xl, "--log-dir", self.console_log_dir,
               "--work", str(self.workdir / "agent-work")]
        if xsread:
            cmd += ["--xenstore-read", xsread]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.link = AgentLink(self.proc.stdout.fileno(), self.proc.stdin.fileno())
        msg = self.link.recv(10)
        if msg is None or msg.kind != "READY":
            self.close()
            raise HostError("the local agent did not start")
        self.log(f"xl back end: Xen {self.xen_version} on this machine")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            self.link.send("KILL")
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc = None
