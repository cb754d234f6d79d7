"""Runs one scenario on a Xen host through the agent protocol, whatever the back end.

Both back ends (the embedded QEMU test host and a lab machine's xl) hand us an AgentLink and a
path under which dom0 can read the kernel; everything else — starting the domain, streaming
its console, taking the scenario's steps (console input, dom0 tools, frames for the vif),
enforcing the timeouts and the output bound, classifying how it ended — is here, once.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

from . import addresses, network, results, vcpu_context, xen_log
from .dom0_steps import Dom0Step
from .elfsyms import SymbolError, SymbolTable
from .errors import HostError
from .normalize import normalize
from .run_result import RunResult
from .spec import InputStep, Scenario
from .testhost.link import AgentLink
from .verdict import Outcome, judge

# After a timeout or the output bound we destroy the domain and wait this long for xl to
# confirm it is gone; longer means the host itself is stuck.
KILL_GRACE_S = 30.0
# After TOOLKILL the agent stops the tool within about two seconds; longer means it is stuck.
TOOL_KILL_GRACE_S = 15.0
# FRAMES is answered as soon as the frames are sent, a fraction of a second.
FRAMES_REPLY_S = 30.0
# NET loads modules and makes the bridge: about a second under TCG.
NET_REPLY_S = 60.0
# CTX (pause, xenctx) on a timeout: a fraction of a second; the agent stops xenctx after 4 s.
# Past this the report says the context could not be read, and the domain is destroyed.
CTX_REPLY_S = 5.0


# The kernel's own crash report ends with this line (panic.cpp, crash_domain).
KERNEL_REPORT = b"*** stopping the domain"


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
        self._network_up = False
        self.net_seconds = 0.0  # how long the agent's NET took, once it ran

    def domain_name(self, scenario: Scenario, owner: str = "") -> str:
        """A fresh domain name for the scenario, starting with its owner's name when it has one
        (`checker grade`'s student: xl's messages, xl.txt, then give a student's domain its
        number, the name Xen's serial log knows it by, which matters most when one of them
        broke the host)."""
        # Unique per host boot: xenconsoled appends to guest-<name>.log, so a reused name would
        # hand us the previous run's console.
        self._runs += 1
        name = f"{_domain_word(scenario.id)}-{self._runs}"
        return f"{_domain_word(owner)[:24]}-{name}" if owner else name

    def run_command(self, scenario: Scenario, kernel_name: str, ramdisk: str | None = None,
                    vif: str | None = None, owner: str = "") -> list[str]:
        """The agent's RUN command that boots the scenario's kernel (under a fresh domain name).

        ramdisk: a file the host holds (a payload name, like kernel_name) to boot with; only
        the benchmark's Linux guest needs one.  vif: the xl vif spec of a scenario with
        `vif = true`, when it is not the stage guest's (network.vif_spec()).  owner: see
        domain_name().
        """
        fields = ["RUN", self.domain_name(scenario, owner), self.host.kernel_path(kernel_name),
                  str(scenario.memory_mb), scenario.cmdline.encode().hex()]
        if ramdisk:
            fields.append("ramdisk=" + self.host.kernel_path(ramdisk))
        if scenario.vif:
            fields.append("vif=" + (vif or network.vif_spec()).encode().hex())
        return fields

    def prepare(self, scenario: Scenario) -> None:
        """What the host needs before the scenario's RUN: dom0's bridge, for a guest with a vif.

        Asked of the agent on the first networked run only (NET is idempotent, but each one is a
        round trip), so hosts that run no networked scenario never load the network modules."""
        if not scenario.vif or self._network_up:
            return
        link = self.host.link
        link.send(*network.NET_COMMAND)
        deadline = time.monotonic() + NET_REPLY_S
        while (msg := link.recv(max(0.0, deadline - time.monotonic()))) is not None:
            if msg.kind == "NET":
                self._network_up = True
                self.net_seconds = int(msg.fields[0]) / 1000 if msg.fields else 0.0
                self.log(f"test host: dom0's bridge {addresses.BRIDGE} ({addresses.BRIDGE_IP}/{addresses.PREFIX_LEN}) "
                         f"{'made' if msg.fields[1:] == ['made'] else 'ready'} in {self.net_seconds:.1f} s")
                return
            if msg.kind == "ERR":
                raise HostError(f"dom0 could not set up guest networking: {msg.text(0)}")
        raise HostError(f"dom0 did not set up guest networking within {NET_REPLY_S:.0f} s\n" + self.host.serial_tail())

    def execute(self, scenario: Scenario, kernel_name: str, ramdisk: str | None = None,
                vif: str | None = None, owner: str = "") -> RunResult:
        """Boots the scenario's kernel once and returns what happened (ramdisk, vif, owner: see
        run_command)."""
        self.prepare(scenario)
        return _Execution(self, scenario, self.run_command(scenario, kernel_name, ramdisk, vif, owner),
                          kernel_name).run()

    def symbols(self, kernel_name: str) -> tuple[SymbolTable | None, str]:
        """The symbols of the kernel booted as `kernel_name`, or None and why not.

        The back ends know where each payload file is on this machine (local_file); a test's
        fake host may not, and then the addresses are shown without names.  kernel.debug.elf
        is preferred when the build left one beside kernel.elf (the build strips kernel.elf's
        symbol table; a kernel built some other way may still have one).
        """
        local_file = getattr(self.host, "local_file", None)
        path = local_file(kernel_name) if local_file else None
        if path is None:
            return None, f"this back end does not say where {kernel_name}'s ELF file is"
        debug = path.with_name(path.name.removesuffix(".elf") + ".debug.elf")
        path = debug if debug.exists() else path
        try:
            return SymbolTable.from_elf(path), ""
        except (OSError, SymbolError) as exc:
            return None, f"cannot read the symbols of {path}: {exc}"

    def run(self, scenario: Scenario, kernel_name: str, results_dir: Path | None = None,
            owner: str = "") -> Outcome:
        """Runs a scenario, judges it and keeps its console and diff for the grader.

        results_dir: where the scenario's directory goes, when not under the runner's own (each
        student's directory in `checker grade`); owner: see domain_name().
        """
        results_dir = results_dir or self.results_dir
        results.clear(results.scenario_dir(results_dir, scenario))
        result = self.execute(scenario, kernel_name, owner=owner)
        expected = scenario.transcript.read_text() if scenario.transcript.exists() else None
        outcome = judge(scenario, expected, result)
        self.keep(scenario, result, outcome, results_dir)
        return outcome

    def keep(self, scenario: Scenario, result: RunResult, outcome: Outcome, results_dir: Path | None = None) -> Path:
        out = results.scenario_dir(results_dir or self.results_dir, scenario)
        out.mkdir(parents=True, exist_ok=True)
        (out / "console.raw.txt").write_bytes(result.console)
        (out / "console.txt").write_text(outcome.console)
        (out / "diff.txt").write_text(outcome.diff)
        (out / "xl.txt").write_text("\n".join(result.host_messages) + "\n")
        if result.vcpu_context:
            (out / "xenctx.txt").write_text(result.vcpu_context)
        for number, step in enumerate(result.dom0, start=1):
            # Each step's own output as it came, before normalisation (the blocks in console.txt
            # are normalised).
            name = step.argv[0] if step.kind == "dom0" else "frames"
            (out / f"dom0-{number}-{name}.txt").write_bytes(step.block())
        results.write_result(out, outcome, end=result.end, elapsed_s=result.elapsed_s,
                             first_byte_s=result.first_byte_s, first_difference=outcome.first_difference)
        return out


def _domain_word(text: str) -> str:
    """`text` in the characters the checker gives a domain's name: a-z, 0-9 and '-'."""
    return re.sub(r"[^a-z0-9-]", "-", text.lower())


class _Execution:
    """One boot of a scenario: the loop over the agent's messages until the guest has ended.

    Steps are taken strictly in order: a step waits until the one before it is done (its text
    sent, its dom0 tool ended, its frames sent) and then until its `after` matches the
    normalised console, which may already be the case.
    """

    def __init__(self, runner: Runner, scenario: Scenario, run_fields: list[str], kernel_name: str = ""):
        self.runner = runner
        self.kernel_name = kernel_name
        self.link = runner.host.link
        self.scenario = scenario
        self.fields = run_fields
        self.console = bytearray()
        self.arrivals: list[tuple[float, int]] = []
        self.host_messages: list[str] = []
        self.first_byte: float | None = None
        self.pending = list(scenario.inputs)
        self.steps: list[Dom0Step] = []
        self.active: Dom0Step | None = None   # the dom0 step in progress
        self.active_id = ""
        self.active_deadline = 0.0            # when to stop it (or, once stopped, give up on it)
        self.stopping = False                 # TOOLKILL sent for the active step
        self.stopped_for: str | None = None   # "timeout" / "output-limit" once we destroyed it
        self.t0 = time.monotonic()
        self.deadline = self.t0 + scenario.timeout_s
        self.send_at: float | None = None     # when the first pending step is due (its delay_s)
        self.kill_sent = False
        # Messages that came while we waited for the answer to CTX, handled after it in order.
        self.held: list = []
        self.vcpu_context = ""
        self.where: list[str] = []
        self.stopped_in = ""
        mark = getattr(runner.host, "hypervisor_log_mark", None)
        self.xen_mark = mark() if mark else None  # where Xen's log stood when this run began

    # -- steps ---------------------------------------------------------------------------------

    def now_s(self) -> float:
        return time.monotonic() - self.t0

    def take_ready_steps(self) -> None:
        while self.pending and self.active is None and self.send_at is None and self.stopped_for is None:
            text = normalize(bytes(self.console), self.scenario.rules)
            if not re.search(self.pending[0].after, text, re.MULTILINE):
                return
            if self.pending[0].delay_s > 0:
                self.send_at = time.monotonic() + self.pending[0].delay_s
                return
            self.take(self.pending.pop(0))

    def take(self, step: InputStep) -> None:
        if step.kind == "send":
            self.link.send("INPUT", step.send.encode().hex())
            return
        self.active_id = f"s{len(self.steps) + 1}"
        if step.kind == "dom0":
            self.active = Dom0Step("dom0", argv=step.dom0, timeout_s=step.timeout_s, started_s=self.now_s())
            argv = (network.TOOLS[step.dom0[0]], *step.dom0[1:])
            self.link.send("TOOL", self.active_id, "\0".join(argv).encode().hex())
            self.active_deadline = time.monotonic() + step.timeout_s
        else:
            names = tuple(name for name, _ in network.corpus_frames(step.send_frames))
            self.active = Dom0Step("frames", corpus=step.send_frames, frame_names=names, started_s=self.now_s())
            path = self.runner.host.kernel_path(network.frames_payload_name(step.send_frames))
            self.link.send("FRAMES", self.active_id, path)
            self.active_deadline = time.monotonic() + FRAMES_REPLY_S
        self.stopping = False
        self.steps.append(self.active)

    def finish_step(self) -> None:
        self.active.ended_s = self.now_s()
        self.active = None
        self.take_ready_steps()

    def on_step_message(self, msg) -> None:
        if self.active is None or not msg.fields or msg.fields[0] != self.active_id:
            return  # a late message of a step already given up on
        step = self.active
        if msg.kind == "TOOLOUT":
            step.output += msg.data(1)
        elif msg.kind == "TOOLRC":
            step.rc = int(msg.fields[1])
            how = msg.fields[2] if len(msg.fields) > 2 else "exit"
            step.how = "timeout" if how == "killed" else how
            self.finish_step()
        elif msg.kind == "TOOLERR":
            step.how, step.problem = "refused", msg.text(1)
            self.finish_step()
        elif msg.kind == "FRAMES":
            step.how = "sent"
            step.sent, step.total = int(msg.fields[1]), int(msg.fields[2])
            if len(msg.fields) > 4:
                step.failed_index, step.failed_why = int(msg.fields[3]), msg.text(4)
            self.finish_step()

    def check_active_deadline(self) -> None:
        if self.active is None or time.monotonic() < self.active_deadline:
            return
        if self.active.kind == "dom0" and not self.stopping:
            self.link.send("TOOLKILL", self.active_id)
            self.stopping = True
            self.active_deadline = time.monotonic() + TOOL_KILL_GRACE_S
            return
        what = f"`{self.active.command}`" if self.active.kind == "dom0" else f'the frames of "{self.active.corpus}"'
        raise HostError(f"the agent did not report the end of {what} in dom0\n" + self.runner.host.serial_tail())

    # -- the guest -----------------------------------------------------------------------------

    def destroy(self, why: str) -> None:
        if self.kill_sent:
            return
        self.stopped_for = self.stopped_for or why
        self.kill_sent = True
        self.link.send("KILL")
        self.deadline = time.monotonic() + KILL_GRACE_S

    def read_context(self) -> tuple[str, str]:
        """Asks the agent to pause the guest and run xenctx: (its output, "") or ("", why not).

        Other messages that arrive meanwhile (console bytes still on their way, xl's lines, a
        tool's output) are kept in self.held for the main loop.  Every failure is a reason,
        never an exception: a TIMEOUT must stay a TIMEOUT whatever happens here.
        """
        self.link.send("CTX", "\0".join(vcpu_context.XENCTX_ARGS).encode().hex())
        deadline = time.monotonic() + CTX_REPLY_S
        while (left := deadline - time.monotonic()) > 0:
            msg = self.link.recv(left)
            if msg is None:
                break  # the link waits its whole timeout before it says None: the time is up
            if msg.kind == "CTX":
                rc, how = int(msg.fields[0]), msg.fields[1]
                text = msg.text(2) if len(msg.fields) > 2 else ""
                if how == "refused":
                    return "", text.strip()
                if how == "killed":
                    return text, "xenctx took longer than 4 s and was stopped"
                if rc != 0 and not text.strip():
                    return "", f"xenctx failed with exit code {rc} and printed nothing"
                if rc != 0 and "rip" not in text:
                    return text, f"xenctx failed with exit code {rc}: {text.strip().splitlines()[-1]}"
                return text, ""
            if msg.kind == "ERR" and "unknown command: CTX" in msg.text(0):
                return "", "the test host's agent has no CTX command (an image built before it)"
            self.held.append(msg)
        if self.link.closed:
            return "", "the agent line closed"
        return "", f"dom0 did not answer CTX within {CTX_REPLY_S:g} s"

    def stop_hung_guest(self) -> None:
        """The timeout: say where the guest is (pause, xenctx, symbols), then destroy it."""
        self.stopped_for = "timeout"  # no more steps are taken from here on
        try:
            text, problem = self.read_context()
            self.vcpu_context = text
            if text and not problem:
                symbols, why = self.runner.symbols(self.kernel_name)
                self.where, self.stopped_in = vcpu_context.describe(text, symbols, why)
            else:
                self.where = [f"where the guest was could not be read: {problem}"]
        except Exception as exc:  # noqa: BLE001 -- on purpose, see below
            # Saying where the guest was is an extra on top of the TIMEOUT verdict: a garbled
            # answer from the agent, a damaged ELF file or a mistake in the parser must cost
            # only this extra, never turn the verdict into a HOST-ERROR or stop the whole run.
            self.where = [f"where the guest was could not be read: {type(exc).__name__}: {exc}"]
        self.destroy("timeout")

    def on_console(self, msg) -> None:
        if self.first_byte is None:
            self.first_byte = int(msg.fields[0]) / 1000
        if self.stopped_for == "output-limit":
            return  # already over the bound; the domain is being destroyed
        self.console += msg.data(1)
        self.arrivals.append((int(msg.fields[0]) / 1000, len(self.console)))
        if len(self.console) > self.scenario.max_console_bytes:
            del self.console[self.scenario.max_console_bytes:]
            self.destroy("output-limit")
        self.take_ready_steps()

    def wait_s(self) -> float:
        due = [self.deadline]
        if self.send_at is not None:
            due.append(self.send_at)
        if self.active is not None:
            due.append(self.active_deadline)
        return max(0.05, min(due) - time.monotonic())

    def run(self) -> RunResult:
        name = self.fields[1]
        self.link.send(*self.fields)
        self.take_ready_steps()  # a step whose `after` matches an empty console
        while True:
            if self.send_at is not None and time.monotonic() >= self.send_at and self.stopped_for is None:
                self.send_at = None
                self.take(self.pending.pop(0))
                self.take_ready_steps()  # the next steps may already be visible
            self.check_active_deadline()
            msg = self.held.pop(0) if self.held else self.link.recv(self.wait_s())
            if msg is None:
                if self.link.closed:
                    raise HostError("the test host closed the agent line while a guest was running\n"
                                    + self.runner.host.serial_tail())
                waiting_for_a_step = self.send_at is not None or self.active is not None
                if waiting_for_a_step and time.monotonic() < self.deadline:
                    continue  # woke for a delayed step or a tool's deadline, not for the guest's
                if self.stopped_for is None:
                    self.stop_hung_guest()
                    continue
                raise HostError(f"xl did not destroy {name} within {KILL_GRACE_S:.0f} s\n"
                                + self.runner.host.serial_tail())
            if msg.kind == "CON":
                self.on_console(msg)
            elif msg.kind in ("TOOLOUT", "TOOLRC", "TOOLERR", "FRAMES"):
                self.on_step_message(msg)
            elif msg.kind == "XL":
                self.host_messages.append(msg.text(0))
            elif msg.kind == "ERR":
                text = msg.text(0)
                if self.stopped_for is None and not self.console and text.startswith("RUN refused:"):
                    raise HostError(text)  # no guest was started, so no END will come
                self.host_messages.append("agent: " + text)
            elif msg.kind == "END":
                if self.active is not None and not self.active.how:
                    self.active.how = "guest-ended"  # the agent stops its tools first; a safety net
                end = self.stopped_for or msg.fields[0]
                elapsed = int(msg.fields[1]) / 1000 if len(msg.fields) > 1 else self.now_s()
                phrase, said = self.xen_account() if end == "crash" else ("", [])
                return RunResult(bytes(self.console), end, elapsed, self.first_byte, self.host_messages,
                                 self.arrivals, self.steps, self.vcpu_context, self.where, self.stopped_in,
                                 phrase, said)

    def xen_account(self) -> tuple[str, list[str]]:
        """What Xen logged during this run about a crash the kernel did not report itself."""
        since = getattr(self.runner.host, "hypervisor_log_since", None)
        if self.xen_mark is None or since is None or KERNEL_REPORT in self.console:
            return "", []
        lines: list[str] = []
        for _ in range(10):  # Xen's lines reach the serial file a moment after xl sees the crash
            lines = xen_log.guest_lines(since(self.xen_mark))
            if any("crashed on cpu" in line for line in lines):
                break
            time.sleep(0.1)
        symbols, _why = self.runner.symbols(self.kernel_name) if self.kernel_name else (None, "")
        account = xen_log.explain(lines, symbols)
        return account.phrase, account.details
