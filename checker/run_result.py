"""RunResult: what the test host observed while one scenario's kernel ran.

The runner makes it (runner.py), the judge reads it (verdict.py) and `checker record` writes its
transcript; in a module of its own, so that none of them imports another to get it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .dom0_steps import Dom0Step, transcript


@dataclass
class RunResult:
    """What the test host observed while one scenario's kernel ran."""

    console: bytes          # raw guest console bytes
    # How the domain ended: "poweroff", "reboot", "crash", "suspend", "watchdog", "soft_reset",
    # "destroyed", "timeout", "output-limit" or "xl-failed".
    end: str
    elapsed_s: float
    first_byte_s: float | None = None
    host_messages: list[str] = field(default_factory=list)  # lines the toolstack (xl) printed
    # (seconds since `xl create`, console length so far) for every piece of console output
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    dom0: list[Dom0Step] = field(default_factory=list)  # the dom0 steps taken, in order
    # On a timeout: what xenctx printed about the paused guest ("" if it could not be read),
    # the report's lines on where the guest was (or one line on why that is not known), and
    # the function vCPU 0 was in.
    vcpu_context: str = ""
    where: list[str] = field(default_factory=list)
    stopped_in: str = ""
    # On a crash: what Xen's own log said about it (checker/xen_log.py), a phrase for the
    # summary and the explained lines; empty when the back end has no such log or it was silent.
    xen_phrase: str = ""
    xen_said: list[str] = field(default_factory=list)

    def transcript(self) -> bytes:
        """The text compared with the expected transcript: the console, then the dom0 blocks."""
        return transcript(self.console, self.dom0)

    def seconds_until(self, text: bytes) -> float | None:
        """When the console first contained `text` (seconds since `xl create`), if it ever did."""
        where = self.console.find(text)
        if where < 0:
            return None
        return next((t for t, length in self.arrivals if length >= where + len(text)), None)
