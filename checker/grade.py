"""`python3 -m checker grade DIR...`: a class's submissions built and checked in one go.

First every submission is built, each stage in the student's own build directory and within
its own limits (grade_build.py); then the kernels of all of them are booted on one test host,
one scenario after another, and judged against the grader's own kit (stage.toml and
transcripts), never the student's copy.  One student's kernel can therefore cost only its own
time: a flood ends at max_console_bytes, a hang at timeout_s, a build at its limits.  A kernel
that breaks the host itself gets HOST-ERROR, and the host is rebooted for the next scenario;
nothing else reboots it, except that dom0 holds at most PAYLOAD_BUDGET_MB of kernels per boot
(a large class is booted in several groups of whole students).

The results are written under the output directory (gradebook.py for the tables):

    grades.csv, summary.txt                      the class
    <student>/junit.xml                          one student
    <student>/<stage>/<scenario>/                console.txt, diff.txt, result.json, ...
    <student>/build/<stage>.log                  the stage's build output
    test-host/boot-N/xen-serial.log              each host boot's Xen and dom0 console
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import backends, gradebook, grade_build, lab_copies, results
from .backends import OpenHost
from .errors import HostError
from .not_run import (build_error, build_error_with_log_file, environment_error, host_error, kernel_too_big,
                      missing, refused_build, stopped_build)
from .runner import Runner
from .spec import Scenario, Stage
from .submission import Submission
from .verdict import Outcome

# In a student's output directory: the lab regions of later stages that hold code (lab_copies.py).
LAB_WARNINGS_FILE = "lab-warnings.txt"

MIB = 1024 * 1024
# dom0 has 512 MiB and holds the kernels twice while Linux unpacks its initramfs (the archive,
# then the files); 128 MiB of kernels (about 80 stage kernels, ten full submissions) leaves it
# room for the toolstack and xenconsoled.  A conservative bound, not a measured one.
PAYLOAD_BUDGET_MB = 128
# A host that fails to come up twice in a row will not come up a third time.
MAX_BOOT_FAILURES = 2
# Three scenarios of a row, each on a freshly booted host, ending in HOST-ERROR: the host is
# broken, not one student's kernel; the rest is not run rather than rebooted for one by one.
MAX_HOST_ERRORS_IN_A_ROW = 3


@dataclass
class _Lane:
    """One test host of several that run at once, and what it has seen so far."""

    tag: str                     # the log's prefix for this lane: "host 2: ", or "" with one host
    host_errors_in_a_row: int = 0


@dataclass(frozen=True)
class _Boot:
    """One scenario of one student, with the payload name of its kernel."""

    student: str
    scenario: Scenario
    kernel: str


class Grader:
    def __init__(self, kit: Path, selection: list[tuple[Stage, list[Scenario]]], subs: list[Submission],
                 out: Path, limits: grade_build.Limits, open_host: OpenHost,
                 log: Callable[[str], None] = print, hosts: int = 1):
        self.kit = kit
        self.scenarios = [sc for _, scs in selection for sc in scs]
        self.selection = selection
        self.subs = subs
        self.out = out
        self.limits = limits
        self.open_host = open_host
        self.log = log
        self.book = gradebook.Gradebook([s.student for s in subs], self.scenarios)
        self.todo: list[_Boot] = []
        self.kernels: dict[str, Path] = {}   # payload name -> kernel file
        self.hosts = hosts                   # test hosts at once, at most
        self.lanes_used = 0                  # how many there were (no more than students)
        self.boots = 0                       # host boots so far
        self.done = 0                        # scenarios booted so far
        self.build_s = self.boot_s = 0.0    # the two phases' times, once run() is done
        self._count = threading.Lock()       # boots and done, counted by every lane
        self.lab_warnings: dict[str, int] = {}  # student -> lab regions with code in a later stage

    # -- the whole run -------------------------------------------------------------------------

    def run(self) -> gradebook.Gradebook:
        t0 = time.monotonic()
        for sub in self.subs:
            self._clear(sub)
            self._check_lab_copies(sub)
        for number, sub in enumerate(self.subs, start=1):
            self._build(number, sub)
        t1 = time.monotonic()
        self._boot_lanes()
        self._write_missing_results()
        self.build_s, self.boot_s = t1 - t0, time.monotonic() - t1
        return self.book

    def timing(self) -> str:
        """Where the time went, for the report's header."""
        at_once = f" on {self.lanes_used} test hosts at once" if self.lanes_used > 1 else ""
        return (f"builds {self.build_s:.1f} s; {self.boots} test host boot(s) and {self.done} guest(s) "
                f"{self.boot_s:.1f} s{at_once}")

    def _clear(self, sub: Submission) -> None:
        """The selected scenarios' directories hold this run's files only."""
        student_dir = self.out / sub.student
        for sc in self.scenarios:
            results.clear(results.scenario_dir(student_dir, sc))
        (student_dir / gradebook.JUNIT_FILE).unlink(missing_ok=True)

    def _check_lab_copies(self, sub: Submission) -> None:
        """Says where a later stage holds code in a lab region the handout had stubbed
        (lab_copies.py); LAB_WARNINGS_FILE in the student's directory lists them."""
        found = lab_copies.warnings(sub.stages_root, self.kit / "stages")
        path = self.out / sub.student / LAB_WARNINGS_FILE
        path.unlink(missing_ok=True)
        if not found:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in found))
        self.lab_warnings[sub.student] = len(found)
        for line in found:
            self.log(f"warning: {sub.student}: {line}")

    def lab_warning_line(self) -> str | None:
        """For the report's header: who has lab regions with code in a later stage."""
        if not self.lab_warnings:
            return None
        who = ", ".join(f"{s} ({n}, see {s}/{LAB_WARNINGS_FILE})" for s, n in sorted(self.lab_warnings.items()))
        return f"warning: later stages hold code in a lab region that the handout had taken out: {who}"

    def _record(self, student: str, outcome: Outcome) -> None:
        self.book.outcomes[(student, outcome.scenario_id)] = outcome

    def _write_missing_results(self) -> None:
        """result.json for every scenario the runner did not write one for (not booted)."""
        for student in self.book.students:
            for sc in self.scenarios:
                directory = results.scenario_dir(self.out / student, sc)
                if not (directory / results.RESULT_FILE).exists():
                    results.write_result(directory, self.book.outcome(student, sc))

    # -- building ------------------------------------------------------------------------------

    def _build(self, number: int, sub: Submission) -> None:
        have = ", ".join(sub.present) or "none of the stages graded"
        self.log(f"== {sub.student} ({number}/{len(self.subs)}): {sub.layout()} in {sub.directory}; "
                 f"stages: {have} ==")
        for stage, scenarios in self.selection:
            if stage.name not in sub.present:
                for sc in scenarios:
                    self._record(sub.student, missing(sc, sub.stages_root / sc.stage))
                self.log(f"{sub.student} {stage.name}: MISSING ({len(scenarios)} scenario(s))")
                continue
            self.log(f"{sub.student} {stage.name}: building (at most {self.limits.build_s:g} s and "
                     f"{self.limits.build_mb} MiB)")
            built = grade_build.build(self.kit, sub.present[stage.name], self.out / sub.student, stage.name,
                                      self.limits, lambda line: self.log(f"{sub.student} {stage.name}: {line}"))
            if built.ok:
                self._take_kernels(number, sub, scenarios, built)
                continue
            first = scenarios[0].id
            log_name = f"{sub.student}/build/{stage.name}.log"
            for sc in scenarios:
                if built.machine_cause:
                    outcome = environment_error(sc.id, built.machine_cause)
                elif built.refused:
                    outcome = refused_build(sc.id, built.refused)
                elif built.stopped:
                    outcome = stopped_build(sc.id, built.stopped, built.log_tail if sc.id == first else "")
                else:
                    outcome = build_error_with_log_file(sc.id, log_name, built.log_tail,
                                                        None if sc.id == first else first)
                self._record(sub.student, outcome)
            said = built.refused or built.stopped or (built.machine_cause.splitlines()[0] if built.machine_cause
                                                      else "the kernel did not build")
            self.log(f"{sub.student} {stage.name}: BUILD-ERROR after {built.seconds:.1f} s: {said}")

    def _take_kernels(self, number: int, sub: Submission, scenarios: list[Scenario],
                      built: grade_build.StageBuild) -> None:
        self.log(f"{sub.student} {scenarios[0].stage}: built in {built.seconds:.1f} s")
        for sc in scenarios:
            path = built.kernel_dir / sc.kernel
            # Unique per student: every student's kernels are in the same dom0 at once.
            name = f"s{number:03d}-{sc.stage}-{Path(sc.kernel).stem}"
            if not path.is_file():
                self._record(sub.student, build_error(sc.id, f"the build succeeded but produced no {path}"))
                continue
            size = path.stat().st_size
            if size > self.limits.kernel_mb * MIB:
                self._record(sub.student, kernel_too_big(sc.id, path.name, size // MIB, self.limits.kernel_mb))
                continue
            self.kernels[name] = path
            self.todo.append(_Boot(sub.student, sc, name))

    # -- booting -------------------------------------------------------------------------------

    def _lanes(self) -> list[list[str]]:
        """The students dealt out to the hosts: each next student to the lane with the fewest
        scenarios so far, so that the lanes end at about the same time."""
        lanes: list[list[str]] = [[] for _ in range(self.hosts)]
        load = [0] * self.hosts
        for student in self.book.students:
            count = sum(1 for b in self.todo if b.student == student)
            if not count:
                continue
            i = load.index(min(load))
            lanes[i].append(student)
            load[i] += count
        return [lane for lane in lanes if lane]

    def _batches(self, students: list[str]) -> list[list[_Boot]]:
        """The scenarios to boot in groups of whole students whose kernels fit dom0's budget."""
        batches: list[list[_Boot]] = []
        size = 0
        for student in students:
            mine = [b for b in self.todo if b.student == student]
            need = sum(self.kernels[name].stat().st_size for name in {b.kernel for b in mine})
            if not mine:
                continue
            if batches and size + need <= PAYLOAD_BUDGET_MB * MIB:
                batches[-1] += mine
                size += need
            else:
                batches.append(list(mine))
                size = need
        return batches

    def _boot_lanes(self) -> None:
        """Every lane's groups, each lane on its own host; with one host, in this thread."""
        lanes = self._lanes()
        self.lanes_used = len(lanes)
        # The payloads first, here: two lanes must not write the same frame file at once.
        work = [[(batch, self._payload(batch)) for batch in self._batches(students)] for students in lanes]
        several = len(lanes) > 1
        if several:
            self.log(f"test hosts: {len(lanes)} at once, students " +
                     "; ".join(f"host {i}: {', '.join(students)}" for i, students in enumerate(lanes, 1)))

        def drive(lane: _Lane, groups) -> None:
            for batch, payload in groups:
                self._boot_batch(lane, batch, payload)

        if not several:
            for groups in work:
                drive(_Lane(""), groups)
            return
        failures: list[BaseException] = []

        def guarded(lane: _Lane, groups) -> None:
            try:
                drive(lane, groups)
            except BaseException as e:  # noqa: BLE001 - reported by the main thread below
                failures.append(e)
        # Daemon threads: on Ctrl-C the main thread leaves, and with the process the QEMUs go
        # (each dies with the thread that started it, testhost/lifeline.py).
        threads = [threading.Thread(target=guarded, args=(_Lane(f"host {i}: "), groups),
                                    name=f"grade-host-{i}", daemon=True)
                   for i, groups in enumerate(work, 1)]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.5)
        if failures:
            raise failures[0]

    def _payload(self, batch: list[_Boot]) -> dict[str, Path]:
        """The kernels of the batch, and the frame files its send_frames steps need."""
        return backends.payload({b.kernel: self.kernels[b.kernel] for b in batch}, [b.scenario for b in batch],
                                self.out / "test-host" / "frames")

    def _boot_batch(self, lane: _Lane, batch: list[_Boot], payload: dict[str, Path]) -> None:
        pending = list(batch)
        failed_boots = 0
        while pending:
            with self._count:
                self.boots += 1
                boot = self.boots
            workdir = self.out / "test-host" / f"boot-{boot}"
            up = False
            try:
                with self.open_host(payload, workdir) as host:
                    up, failed_boots = True, 0
                    self.log(f"{lane.tag}test host: boot {boot}: {host.accel_reason}, Xen {host.xen_version}, "
                             f"ready in {host.boot_seconds:.1f} s")
                    # One runner per host boot: it numbers the domains, and a name must not be
                    # reused within a boot (xenconsoled appends to the old log of that name).
                    runner = Runner(host, self.out, self.log)
                    while pending:
                        if not self._boot_one(lane, runner, pending.pop(0)):
                            break
            except HostError as e:
                if up:
                    self.log(f"{lane.tag}test host: boot {boot} did not shut down cleanly: "
                             f"{str(e).splitlines()[0]}")
                    continue
                failed_boots += 1
                first = str(e).splitlines()[0] if str(e).strip() else "no details"
                self.log(f"{lane.tag}test host: boot {boot} failed: {first} (serial log in {workdir})")
                if failed_boots >= MAX_BOOT_FAILURES:
                    self._give_up(lane, pending, f"the test host did not come up {failed_boots} times in a row: {e}")
                    return
            if pending and lane.host_errors_in_a_row >= MAX_HOST_ERRORS_IN_A_ROW:
                self._give_up(lane, pending, f"{lane.host_errors_in_a_row} scenarios in a row ended in HOST-ERROR, "
                                             "each on a freshly booted test host; the host is broken")
                return
            if pending:
                again = "rebooting for the next scenario" if up else "booting it again"
                self.log(f"{lane.tag}test host: {again} ({len(pending)} left)")

    def _give_up(self, lane: _Lane, pending: list[_Boot], why: str) -> None:
        self.log(f"{lane.tag}test host: {why}; {len(pending)} scenario(s) not run")
        for b in pending:
            self._record(b.student, host_error(b.scenario.id, f"not run: {why}"))
        pending.clear()

    def _boot_one(self, lane: _Lane, runner: Runner, b: _Boot) -> bool:
        """Runs one scenario; False when the host failed and must be rebooted."""
        with self._count:
            self.done += 1
            done = self.done
        sc = b.scenario
        tag = f"{lane.tag}[{done}/{len(self.todo)}] {b.student} {sc.id}"
        self.log(f"{tag}: booting ({sc.memory_mb} MB, timeout {sc.timeout_s:g} s)")
        t0 = time.monotonic()
        try:
            # The student's name leads the domain's name: see Runner.domain_name.
            outcome = runner.run(sc, b.kernel, results_dir=self.out / b.student, owner=b.student)
        except HostError as e:
            outcome = host_error(sc.id, str(e))
            outcome.elapsed_s = time.monotonic() - t0
            self._record(b.student, outcome)
            lane.host_errors_in_a_row += 1
            self.log(f"{tag}: HOST-ERROR ({outcome.elapsed_s:.1f} s): {outcome.summary}")
            return False
        lane.host_errors_in_a_row = 0
        self._record(b.student, outcome)
        self.log(f"{tag}: {outcome.verdict.value} ({outcome.elapsed_s or 0:.1f} s)")
        return True
