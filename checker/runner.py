"""Runs one scenario on a Xen host through the agent protocol, whatever the back end.

Both back ends (the embedded QEMU test host and a lab machine's xl) hand us an AgentLink and a
path under which dom0 can read the kernel; everything else — starting the domain, streaming
its console, sending console input, enforcing the timeout and the output bound, classifying
how it ended — is here, once.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

from . import results
from .errors import HostError
from .normalize import normalize
from .spec import Scenario
from .testhost.link import AgentLink
from .verdict import Outcome, judge

# After a timeout or the output bound we destroy the domain and wait this long for xl to
# confirm it is gone; longer means the host itself is stuck.
KILL_GRACE_S = 30.0


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

    def seconds_until(self, text: bytes) -> float | None:
        """When the console first contained `text` (seconds since `xl create`), if it ever did."""
        where = self.console.find(text)
        if where < 0:
            return None
        return next((t for t, length in self.arrivals if length >= where + len(text)), None)


@runtime_checkable
class Host(Protocol):
    """What the runner and its callers use of a back end (testhost/qemu.py, testhost/xl_local.py).

    A back end is a context manager: entering it brings the host up (boots QEMU, or starts the
    local agent) and exiting always tears it down.  Runtime-checkable so that a test can hold
    both back ends to this list; isinstance() only checks that every name exists.
    """

    link: AgentLink          # the agent's line; set once the host is up
    accel_reason: str        # how guests are run, in words: "KVM (...)", "TCG ...", "real Xen (xl)"
    xen_version: str         # as the host's Xen reports it; "" until the host is up
    boot_seconds: float      # start to "ready for guests"; 0.0 where nothing is booted

    def __enter__(self) -> Host: ...

    def __exit__(self, *exc: object) -> None: ...

    def kernel_path(self, name: str) -> str:
        """Where dom0 reads the kernel (or ramdisk) that the payload holds under `name`."""
        ...

    def serial_tail(self, lines: int = 25) -> str:
        """The host's last console lines, for a HostError message."""
        ...


class Runner:
    def __init__(self, host: Host, results_dir: Path, log: Callable[[str], None] = print):
        self.host = host
        self.results_dir = results_dir
        self.log = log
        self._runs = 0

    def domain_name(self, scenario: Scenario) -> str:
        # Unique per host boot: xenconsoled appends to guest-<name>.log, so a reused name would
        # hand us the previous run's console.
        self._runs += 1
        return re.sub(r"[^a-z0-9-]", "-", scenario.id.lower()) + f"-{self._runs}"

    def run_command(self, scenario: Scenario, kernel_name: str, ramdisk: str | None = None) -> list[str]:
        """The agent's RUN command that boots the scenario's kernel (under a fresh domain name).

        ramdisk: a file the host holds (a payload name, like kernel_name) to boot with; only
        the benchmark's Linux guest needs one.
        """
        fields = ["RUN", self.domain_name(scenario), self.host.kernel_path(kernel_name), str(scenario.memory_mb),
                  scenario.cmdline.encode().hex()]
        if ramdisk:
            fields.append(self.host.kernel_path(ramdisk))
        return fields

    def execute(self, scenario: Scenario, kernel_name: str, ramdisk: str | None = None) -> RunResult:
        """Boots the scenario's kernel once and returns what happened (ramdisk: see run_command)."""
        link = self.host.link
        fields = self.run_command(scenario, kernel_name, ramdisk)
        name = fields[1]
        link.send(*fields)
        console = bytearray()
        arrivals: list[tuple[float, int]] = []
        host_messages: list[str] = []
        first_byte: float | None = None
        pending_inputs = list(scenario.inputs)
        stopped_for: str | None = None   # "timeout" / "output-limit" once we destroyed it
        t0 = time.monotonic()
        deadline = t0 + scenario.timeout_s
        send_at: float | None = None  # when the first pending input is due (it has a delay_s)

        def send_next_input() -> None:
            link.send("INPUT", pending_inputs.pop(0).send.encode().hex())

        while True:
            if send_at is not None and time.monotonic() >= send_at and stopped_for is None:
                send_at = None
                send_next_input()
                # The next steps may already be visible: look again at the next console bytes.
            wait = deadline - time.monotonic()
            if send_at is not None:
                wait = min(wait, send_at - time.monotonic())
            msg = link.recv(max(0.05, wait))
            if msg is None:
                if link.closed:
                    raise HostError("the test host closed the agent line while a guest was running\n"
                                    + self.host.serial_tail())
                if send_at is not None and stopped_for is None and time.monotonic() < deadline:
                    continue  # woke to send a delayed input, not because time ran out
                if stopped_for is None:
                    stopped_for = "timeout"
                    link.send("KILL")
                    deadline = time.monotonic() + KILL_GRACE_S
                    continue
                raise HostError(f"xl did not destroy {name} within {KILL_GRACE_S:.0f} s\n" + self.host.serial_tail())
            if msg.kind == "CON":
                if first_byte is None:
                    first_byte = int(msg.fields[0]) / 1000
                if stopped_for == "output-limit":
                    continue  # already over the bound; the domain is being destroyed
                console += msg.data(1)
                arrivals.append((int(msg.fields[0]) / 1000, len(console)))
                if len(console) > scenario.max_console_bytes:
                    del console[scenario.max_console_bytes:]
                    if stopped_for is None:
                        stopped_for = "output-limit"
                        link.send("KILL")
                        deadline = time.monotonic() + KILL_GRACE_S
                if pending_inputs and stopped_for is None and send_at is None:
                    text = normalize(bytes(console), scenario.rules)
                    while pending_inputs and re.search(pending_inputs[0].after, text, re.MULTILINE):
                        if pending_inputs[0].delay_s > 0:
                            send_at = time.monotonic() + pending_inputs[0].delay_s
                            break
                        send_next_input()
            elif msg.kind == "XL":
                host_messages.append(msg.text(0))
            elif msg.kind == "ERR":
                text = msg.text(0)
                if stopped_for is None and not console and "kernel image not found" in text:
                    raise HostError(text)
                host_messages.append("agent: " + text)
            elif msg.kind == "END":
                end = stopped_for or msg.fields[0]
                elapsed = int(msg.fields[1]) / 1000 if len(msg.fields) > 1 else time.monotonic() - t0
                return RunResult(bytes(console), end, elapsed, first_byte, host_messages, arrivals)

    def run(self, scenario: Scenario, kernel_name: str) -> Outcome:
        """Runs a scenario, judges it and keeps its console and diff for the grader."""
        results.clear(results.scenario_dir(self.results_dir, scenario))
        result = self.execute(scenario, kernel_name)
        expected = scenario.transcript.read_text() if scenario.transcript.exists() else None
        outcome = judge(scenario, expected, result)
        self.keep(scenario, result, outcome)
        return outcome

    def keep(self, scenario: Scenario, result: RunResult, outcome: Outcome) -> Path:
        out = results.scenario_dir(self.results_dir, scenario)
        out.mkdir(parents=True, exist_ok=True)
        (out / "console.raw.txt").write_bytes(result.console)
        (out / "console.txt").write_text(outcome.console)
        (out / "diff.txt").write_text(outcome.diff)
        (out / "xl.txt").write_text("\n".join(result.host_messages) + "\n")
        results.write_result(out, outcome, end=result.end, elapsed_s=result.elapsed_s,
                             first_byte_s=result.first_byte_s, first_difference=outcome.first_difference)
        return out
