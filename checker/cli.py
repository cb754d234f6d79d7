"""Command line: python3 -m checker {list,run,record,console,debug,grade,rules,host-image} ...

`run` builds the named stages (all when none is named), boots each scenario as a Xen PV guest
on one boot of the test host, compares each console with its transcript and prints a report.
The exit code is 0 only if every scenario passed.  One run at a time may use a build directory
(runlock.py; `--wait` waits for the other); build/checker/<stage>/<scenario>/ then holds the
files of this run only (results.py).
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import ContextManager

from . import addresses, backends, build, buildenv, grade_build, gradebook, report, results, submission
from .errors import CheckerError, HostError, SpecError, UsageError
from .grade import Grader
from .normalize import describe_rules, normalize
from .not_run import build_error, environment_error, host_error, spec_error
from .runlock import RunLock
from .runner import Host, Runner
from .selection import select
from .spec import DEFAULT_SCENARIO, Scenario, Stage, discover, transcript_problem
from .testhost import image
from .verdict import Outcome, Verdict, end_name, step_trouble

REPO = Path(__file__).resolve().parent.parent


def log(line: str) -> None:
    print(line, flush=True)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 -m checker",
                                description="Boots the kit's stages on Xen and checks their console output.")
    p.add_argument("--repo", type=Path, default=REPO, help="repository root (default: this checkout)")
    p.add_argument("--build-dir", type=Path, help="CMake build tree (default: <repo>/build)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the stages and their scenarios")

    def host_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("stages", nargs="*", metavar="STAGE",
                        help="01-link, 01, link or 01-link/trap-demo (default: all)")
        backends.add_options(sp)
        wait_option(sp)

    def wait_option(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--wait", action="store_true",
                        help="if another run uses this build directory, wait for it to end "
                             "instead of refusing to start")

    run = sub.add_parser("run", help="build, boot and check stages")
    host_options(run)
    run.add_argument("--no-build", action="store_true",
                     help="boot the kernels already in the build directory, built elsewhere (a lab machine "
                          "with Xen but without the kit's compilers); a kernel that is not there is BUILD-ERROR")
    run.add_argument("--json", type=Path, help="write a JSON report here")
    run.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    rec = sub.add_parser("record", help="boot scenarios and write their normalised console as the expected transcript")
    host_options(rec)
    rec.add_argument("--force", action="store_true", help="record even if the guest did not end as stage.toml expects")
    con = sub.add_parser("console", help="boot one scenario and connect your terminal to its console "
                                         "(Ctrl-] leaves and destroys the domain)")
    host_options(con)
    dbg = sub.add_parser("debug", help="boot one scenario paused under QEMU's gdb server and print the gdb "
                                       "command that attaches with the kernel's symbols")
    host_options(dbg)
    dbg.add_argument("--port", type=int, default=1234,
                     help="the TCP port on 127.0.0.1 that gdb connects to (default: 1234; 0: any free one)")
    grade = sub.add_parser("grade", help="build and check a class's submissions, one directory per student, "
                                         "and write the grade table")
    grade.add_argument("submissions", nargs="+", type=Path, metavar="DIR",
                       help="a student's copy of the kit (DIR/stages/NN-name) or of some stages (DIR/NN-name); "
                            "the directory's name is the student's")
    grade.add_argument("--stage", action="append", default=[], metavar="STAGE", dest="stages",
                       help="grade only this stage or scenario (repeatable; default: every stage of this kit)")
    grade.add_argument("--out", type=Path, default=Path("grade-out"),
                       help="where the grades and each student's files go (default: ./grade-out)")
    limits = grade_build.Limits()
    grade.add_argument("--build-timeout", type=float, default=limits.build_s, metavar="SECONDS",
                       help=f"the most one stage's configure and build may take (default: {limits.build_s:g})")
    grade.add_argument("--build-limit-mb", type=int, default=limits.build_mb, metavar="MIB",
                       help=f"the most one stage's build may write (default: {limits.build_mb})")
    grade.add_argument("--jobs", type=int, default=limits.jobs,
                       help=f"parallel jobs of one build (default: {limits.jobs}, this machine's cores)")
    grade.add_argument("--hosts", type=int, default=1, metavar="N",
                       help="boot N test hosts at once, the students dealt out among them (default: 1; "
                            "each host wants two cores, see the book's checker chapter for the speed-up)")
    backends.add_options(grade)
    wait_option(grade)
    rules = sub.add_parser("rules", help="print the normalisation rules (with a stage's own rules if named)")
    rules.add_argument("stages", nargs="*", metavar="STAGE")
    wait_option(sub.add_parser("host-image", help="build (or reuse) the embedded test host image and say where it is"))
    return p


def _stages(args) -> list[Stage]:
    # A stage whose stage.toml is wrong fails alone (SPEC-ERROR), not every other stage with it.
    return discover(args.repo / "stages", keep_broken=True)


def cmd_list(args) -> int:
    for stage in _stages(args):
        if stage.error:
            print(f"{stage.name:18} {Verdict.SPEC_ERROR.value}: {stage.error}")
            continue
        print(f"{stage.name:18} {stage.title}")
        for sc in stage.scenarios:
            if sc.name != DEFAULT_SCENARIO or len(stage.scenarios) > 1:
                vif = f"; vif {addresses.GUEST_MAC} {addresses.GUEST_IP}" if sc.vif else ""
                print(f"  {sc.id:30} ends with {sc.expect_end}; cmdline \"{sc.cmdline}\"{vif}")
            if problem := transcript_problem(sc):
                print(f"  {sc.id}: {problem}")
    return 0


def cmd_rules(args) -> int:
    extra = []
    for stage, scenarios in select(_stages(args), args.stages) if args.stages else []:
        if stage.error:
            raise SpecError(stage.error)
        for sc in scenarios:
            extra.extend(r for r in sc.rules if r not in extra)
    print(describe_rules(extra))
    return 0


def cmd_host_image(args) -> int:
    with RunLock(args.build_dir, args.wait, log):
        img = image.build(args.build_dir / "testhost", log)
    print(f"xen:    {img.xen}\nkernel: {img.kernel}\ninitrd: {img.initrd}\nfrom:   {img.description}")
    return 0


def _build(args, selection) -> tuple[dict[str, Path], list[Outcome]]:
    """Builds every selected stage; returns the kernels to boot and BUILD-ERROR outcomes."""
    if getattr(args, "no_build", False):
        return _built_elsewhere(args, selection)
    kernels: dict[str, Path] = {}
    failures: list[Outcome] = []
    conf = build.configure(args.repo, args.build_dir, log)
    for stage, scenarios in selection:
        res = conf if not conf.ok else build.build_stage(args.build_dir, stage.name, log)
        if not res.ok and res.machine_cause:
            failures += [environment_error(sc.id, res.machine_cause) for sc in scenarios]
            log(f"build: {stage.name} FAILED because of this machine: {res.machine_cause.splitlines()[0]}")
            continue
        if not res.ok:
            # One build per stage, so its log once per stage: the other scenarios point at it.
            first = scenarios[0].id
            failures += [build_error(sc.id, res.log_tail, None if sc.id == first else first)
                         for sc in scenarios]
            log(f"build: {stage.name} FAILED")
            continue
        for sc in scenarios:
            path = build.kernel_path(args.build_dir, stage.name, sc.kernel)
            if not path.exists():
                failures.append(build_error(sc.id, f"the build succeeded but produced no {path}"))
            else:
                kernels[_kernel_name(sc)] = path
    return kernels, failures


def _built_elsewhere(args, selection) -> tuple[dict[str, Path], list[Outcome]]:
    """`run --no-build`: the kernels the build directory already holds, nothing compiled."""
    kernels: dict[str, Path] = {}
    failures: list[Outcome] = []
    for _, scenarios in selection:
        for sc in scenarios:
            path = build.kernel_path(args.build_dir, sc.stage, sc.kernel)
            if path.is_file():
                kernels[_kernel_name(sc)] = path
            else:
                failures.append(build_error(sc.id, f"--no-build: there is no {path}; build the stage first "
                                                   "(without --no-build, or on a machine with the kit's compilers) "
                                                   "and copy the build directory's stages/ here"))
    log(f"build: --no-build: {len(kernels)} kernel(s) found in {args.build_dir / 'stages'}")
    return kernels, failures


def _kernel_name(sc: Scenario) -> str:
    return f"{sc.stage}-{Path(sc.kernel).stem}"


def _payload(args, kernels: dict[str, Path], scenarios: list[Scenario]) -> dict[str, Path]:
    """The kernels and the scenarios' frame files (in build/checker/host/frames), for one host boot."""
    return backends.payload(kernels, scenarios, args.build_dir / "checker" / "host" / "frames")


def _host(args, payload: dict[str, Path], gdb_socket: Path | None = None) -> ContextManager[Host]:
    """The back end the command line chose, holding the payload, its files in build/checker/host."""
    return backends.open_host(args.backend, args.accel, args.build_dir / "testhost",
                              args.build_dir / "checker" / "host", payload, log, gdb_socket=gdb_socket)


def _boot_all(args, selection, kernels) -> tuple[list[tuple[Scenario, Outcome | None]], list[str]]:
    """Runs every scenario whose kernel was built, on one boot of the host."""
    todo = [sc for _, scs in selection for sc in scs if _kernel_name(sc) in kernels]
    done: list[tuple[Scenario, Outcome | None]] = []
    header: list[str] = []
    if not todo:
        return done, header
    try:
        with _host(args, _payload(args, kernels, todo)) as host:
            header.append(f"host: {args.backend} back end, {host.accel_reason}, Xen {host.xen_version}, "
                          f"ready in {host.boot_seconds:.1f} s")
            runner = Runner(host, args.build_dir / "checker", log)
            for i, sc in enumerate(todo, 1):
                log(f"[{i}/{len(todo)}] {sc.id}: booting ({sc.memory_mb} MB, timeout {sc.timeout_s:g} s)")
                try:
                    outcome = runner.run(sc, _kernel_name(sc))
                except HostError as e:
                    outcome = host_error(sc.id, str(e))
                    done.append((sc, outcome))
                    log(f"[{i}/{len(todo)}] {sc.id}: {outcome.verdict.value}: the test host failed; stopping")
                    for rest in todo[i:]:
                        done.append((rest, host_error(rest.id, f"not run: the test host failed during {sc.id}")))
                    break
                done.append((sc, outcome))
                log(f"[{i}/{len(todo)}] {sc.id}: {outcome.verdict.value} ({outcome.elapsed_s or 0:.1f} s)")
    except HostError as e:
        ran = {sc.id for sc, _ in done}
        done += [(sc, host_error(sc.id, str(e))) for sc in todo if sc.id not in ran]
    return done, header


def _spec_checks(selection) -> tuple[list[tuple[Stage, list[Scenario]]], list[Outcome]]:
    """What is wrong before anything is built: a broken stage.toml, a transcript that is missing.

    Returns the selection without those, and their SPEC-ERROR outcomes (a broken stage has
    no scenarios, so its outcome carries the stage's name).
    """
    runnable: list[tuple[Stage, list[Scenario]]] = []
    failures: list[Outcome] = []
    for stage, scenarios in selection:
        if stage.error:
            failures.append(spec_error(stage.name, stage.error))
            continue
        ok = []
        for sc in scenarios:
            if problem := transcript_problem(sc):
                failures.append(spec_error(sc.id, problem))
            else:
                ok.append(sc)
        if ok:
            runnable.append((stage, ok))
    return runnable, failures


def _result_dirs(args, selection) -> list[tuple[str, Path]]:
    """(outcome id, result directory) of every selected scenario; a broken stage has one, its own."""
    root = args.build_dir / "checker"
    dirs = []
    for stage, scenarios in selection:
        if stage.error:
            dirs.append((stage.name, root / stage.name))
        dirs += [(sc.id, results.scenario_dir(root, sc)) for sc in scenarios]
    return dirs


def _clear_results(args, selection) -> None:
    """Empties the selected scenarios' result directories: they will hold this run's files only."""
    for stage, _ in selection:
        # The result of a time when this stage's stage.toml was broken (or is broken now).
        (args.build_dir / "checker" / stage.name / results.RESULT_FILE).unlink(missing_ok=True)
    for _, directory in _result_dirs(args, selection):
        results.clear(directory)


def _write_missing_results(args, selection, by_id: dict[str, Outcome]) -> None:
    """A result.json for every scenario that did not reach the runner (which writes its own)."""
    for outcome_id, directory in _result_dirs(args, selection):
        if outcome_id in by_id and not (directory / results.RESULT_FILE).exists():
            results.write_result(directory, by_id[outcome_id])


def _results_without_a_build(args, selection, failures: list[Outcome]) -> None:
    """On a build directory that cannot be built in, still try to replace the earlier results.

    A full file system still lets files be removed and small ones be written, so a grader may
    well find this run's HOST-ERROR rather than an old PASS; a read-only one lets nothing be
    changed, and the report on the terminal is all there is.
    """
    with contextlib.suppress(OSError, CheckerError):
        with RunLock(args.build_dir, False, log):
            _clear_results(args, selection)
            _write_missing_results(args, selection, {o.scenario_id: o for o in failures})


def cmd_run(args) -> int:
    selection = select(_stages(args), args.stages)
    t0 = time.monotonic()
    runnable, failures = _spec_checks(selection)
    done: list[tuple[Scenario, Outcome | None]] = []
    header: list[str] = []
    problem = buildenv.probe(args.build_dir, building=not args.no_build)
    if problem:
        log(f"build: {problem}")
        failures += [environment_error(sc.id, problem) for _, scs in runnable for sc in scs]
        _results_without_a_build(args, selection, failures)
        by_id = {o.scenario_id: o for o in failures}
    else:
        with RunLock(args.build_dir, args.wait, log):
            _clear_results(args, selection)
            kernels, build_failures = _build(args, runnable)
            failures += build_failures
            done, header = _boot_all(args, runnable, kernels)
            by_id = {o.scenario_id: o for o in failures} | {sc.id: o for sc, o in done}
            _write_missing_results(args, selection, by_id)
    order = [oid for oid, _ in _result_dirs(args, selection)]
    outcomes = [by_id[oid] for oid in order if oid in by_id]
    header.append(f"total time {time.monotonic() - t0:.1f} s")
    print()
    print(report.text_report(outcomes, header))
    meta = {"backend": args.backend, "header": header}
    if args.json:
        report.write_json(outcomes, args.json, meta)
    if args.junit:
        report.write_junit(outcomes, args.junit)
    return 0 if outcomes and all(o.verdict is Verdict.PASS for o in outcomes) else 1


def cmd_record(args) -> int:
    """Boots each scenario and writes its normalised console as the stage's transcript."""
    selection = select(_stages(args), args.stages)
    if not args.stages:
        raise UsageError("name the stages to record (recording rewrites expected transcripts)")
    for stage, _ in selection:
        if stage.error:
            raise SpecError(stage.error)
    if problem := buildenv.probe(args.build_dir):
        raise HostError(problem)
    with RunLock(args.build_dir, args.wait, log):
        return _record(args, selection)


def _say_failure(f: Outcome) -> None:
    """An outcome that stops `record` or `console` from booting, with its details."""
    log(f"{f.scenario_id}: {f.verdict.value}: {f.summary}" + (f"\n{f.details}" if f.details else ""))


def _record(args, selection) -> int:
    kernels, failures = _build(args, selection)
    for f in failures:
        _say_failure(f)
    status = 1 if failures else 0
    todo = [sc for _, scs in selection for sc in scs if _kernel_name(sc) in kernels]
    if not todo:
        return status
    with _host(args, _payload(args, kernels, todo)) as host:
        runner = Runner(host, args.build_dir / "checker", log)
        for sc in todo:
            result = runner.execute(sc, _kernel_name(sc))
            # The same reading of the end as the verdict's, so that `record` refuses exactly
            # the runs that `run` would fail for ending the wrong way, or for a dom0 tool that
            # had to be stopped.
            wrong_end = end_name(result.end) != sc.expect_end
            trouble = step_trouble(result)
            if (wrong_end or trouble) and not args.force:
                why = (f"the guest ended with {result.end}, stage.toml expects {sc.expect_end}" if wrong_end
                       else trouble)
                log(f"{sc.id}: NOT recorded: {why} (use --force to record anyway)")
                log(normalize(result.transcript(), sc.rules))
                status = 1
                continue
            # The console and, after it, the block of each dom0 step: what `run` compares.
            text = normalize(result.transcript(), sc.rules)
            sc.transcript.write_text(text)
            log(f"{sc.id}: recorded {len(text.splitlines())} lines into {sc.transcript} "
                f"(ended with {result.end}); read it before you commit it")
    return status


def _one_scenario(args, example: str) -> tuple[Stage, Scenario]:
    """The one scenario `console` and `debug` boot: the one named, or the stage's boot."""
    if len(args.stages) != 1:
        raise UsageError(f"name one stage or scenario: python3 -m checker {example}")
    stage, scenarios = select(_stages(args), args.stages)[0]
    if stage.error:
        raise SpecError(stage.error)
    if problem := buildenv.probe(args.build_dir):
        raise HostError(problem)
    return stage, next((s for s in scenarios if s.name == DEFAULT_SCENARIO), scenarios[0])


def cmd_console(args) -> int:
    """Boots one scenario's kernel and hands the console to the person at the terminal."""
    from .console_session import ConsoleSession, RawTerminal
    stage, sc = _one_scenario(args, "console 07-console-read")
    with RunLock(args.build_dir, args.wait, log):
        kernels, failures = _build(args, [(stage, [sc])])
        if failures:
            _say_failure(failures[0])
            return 1
        with _host(args, kernels) as host:
            runner = Runner(host, args.build_dir / "checker", log)
            runner.prepare(sc)  # dom0's bridge, if the scenario's guest has a vif
            fields = runner.run_command(sc, _kernel_name(sc))
            log(f"console of {sc.id} ({sc.memory_mb} MiB, command line {sc.cmdline!r}): type to the guest; "
                "Ctrl-] leaves and destroys the domain")
            with RawTerminal(sys.stdin.fileno()):
                end = ConsoleSession(host.link, sys.stdin.fileno(), sys.stdout.buffer).run(fields)
            log(f"\nconsole: {'you left; the domain was destroyed' if end == 'left' else 'the guest ended: ' + end}")
    return 0


def cmd_debug(args) -> int:
    """Boots one scenario's kernel paused in the test host and lets the user's gdb drive it."""
    from . import debug
    if args.backend != "qemu":
        raise UsageError("debug uses the test host's QEMU gdb server: --backend qemu")
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be 0..65535")
    stage, sc = _one_scenario(args, "debug 03-tls")
    with RunLock(args.build_dir, args.wait, log):
        kernels, failures = _build(args, [(stage, [sc])])
        if failures:
            _say_failure(failures[0])
            return 1
        work = args.build_dir / "checker" / "debug"
        work.mkdir(parents=True, exist_ok=True)
        qemu_socket = work / "qemu-gdb.sock"
        qemu_socket.unlink(missing_ok=True)
        try:
            relay = debug.Relay(qemu_socket, args.port)
        except OSError as e:
            raise HostError(f"cannot listen on 127.0.0.1:{args.port} for gdb ({e.strerror}); "
                            "choose another with --port") from None
        symbols = kernels[_kernel_name(sc)].with_name("kernel.debug.elf")
        commands = work / debug.COMMANDS_FILE
        commands.write_text(debug.gdb_commands(symbols, relay.port, "kernel_main"))
        try:
            with _host(args, kernels, gdb_socket=qemu_socket) as host:
                runner = Runner(host, args.build_dir / "checker", log)
                runner.prepare(sc)
                fields = runner.run_command(sc, _kernel_name(sc)) + ["paused"]
                return debug.session(host.link, relay, fields, sc.id, commands, log, sys.stdout.buffer)
        finally:
            relay.close()


def cmd_grade(args) -> int:
    """Builds and checks every submission against this kit; the exit code says whether the
    grading itself worked (0), or some scenarios ended in HOST-ERROR and need grading again (1)."""
    selection = select(_stages(args), args.stages)
    runnable, problems = _spec_checks(selection)
    if problems:
        # The reference is the grader's: grading against a broken one would mark every student
        # down for the grader's mistake, so nothing is graded until it is fixed.
        raise SpecError("the kit's own stages are not ready to grade against (fix them, or leave them out "
                        "with --stage):\n" + "\n".join(f"{p.scenario_id}: {p.details}" for p in problems))
    if args.build_timeout <= 0 or args.build_limit_mb <= 0 or args.jobs <= 0 or args.hosts <= 0:
        raise UsageError("--build-timeout, --build-limit-mb, --jobs and --hosts must be positive")
    if args.hosts > 1 and args.backend == "xl":
        raise UsageError("--hosts: the xl back end is this machine's one Xen; several hosts are test hosts "
                         "(--backend qemu)")
    if shutil.which("cmake") is None:
        raise HostError("cmake is not installed: run tools/setup.sh (as root) first")
    subs = submission.find(args.submissions, [stage for stage, _ in runnable])
    out = args.out.resolve()
    if problem := buildenv.probe(out):
        raise HostError(problem.replace("--build-dir", "--out"))
    limits = grade_build.Limits(build_s=args.build_timeout, build_mb=args.build_limit_mb, jobs=args.jobs)
    count = sum(len(scs) for _, scs in runnable)
    log(f"grade: {len(subs)} submission(s), {count} scenario(s) each, of {', '.join(s.name for s, _ in runnable)}; "
        f"results in {out}")
    # The builds hold the lock too: they need the cores the test host's TCG runs on, and
    # another run's guests starved of them would end in TIMEOUT.
    asked = time.monotonic()
    with RunLock(args.build_dir, args.wait, log):
        t0 = time.monotonic()
        open_host = backends.opener(args.backend, args.accel, args.build_dir / "testhost", log)
        grader = Grader(args.repo, runnable, subs, out, limits, open_host, log, hosts=args.hosts)
        book = grader.run()
    waited = f" (after {t0 - asked:.0f} s waiting for the run lock)" if t0 - asked >= 1 else ""
    header = [f"graded {len(subs)} submission(s) in {time.monotonic() - t0:.1f} s{waited}: {grader.timing()}",
              f"grades: {out / gradebook.CSV_FILE}"]
    if warning := grader.lab_warning_line():
        header.append(warning)
    print()
    print(gradebook.write_all(book, out, header), end="")
    return 1 if book.host_errors() else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.repo = args.repo.resolve()
    args.build_dir = (args.build_dir or args.repo / "build").resolve()
    # A grader's Ctrl-C or a CI runner's SIGTERM must still tear the test host down.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    commands = {"list": cmd_list, "run": cmd_run, "record": cmd_record, "rules": cmd_rules, "console": cmd_console,
                "debug": cmd_debug,
                "host-image": cmd_host_image, "grade": cmd_grade}
    try:
        return commands[args.command](args)
    except CheckerError as e:
        print(f"checker: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("checker: interrupted; the test host was shut down", file=sys.stderr)
        return 130
