"""`checker grade` with fake builds and a scripted agent: what a grader finds afterwards.

The builds run the real grade_build.py (the copy of each student's stage, the log, the
verdicts) with bounded.run replaced: a "build" writes the student's kernel/prints.txt as the
kernel, or fails when the stage has a file kernel/broken.  The test host is test_runner's
FakeHost on a scripted agent that boots those kernels: a guest prints its kernel file's text
and powers off, so what a student's sources say is what their guest prints.  The limits
themselves are tested for real with small shell commands.
"""
import csv
import json
import os
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker import backends, bounded, cli, grade, grade_build, gradebook, submission
from checker.errors import SpecError, UsageError
from checker.spec import discover, load_stage
from checker.testhost.link import Message
from test_runner import FakeHost, FakeLink, con

STAGE_01 = """\
[stage]
title = "link"

[run]
expect_end = "shutdown"

[[scenario]]
name = "boot"
points = 2

[[scenario]]
name = "trap-demo"
transcript = "expected-trap-demo.txt"
"""

STAGE_06 = """\
[stage]
title = "hello"

[run]
expect_end = "shutdown"
points = 3
"""

COMPILER_LOG = "[1/3] Building CXX object main.cpp.o\nmain.cpp:3:1: error: expected ';'\nmake: *** Error 2\n"


class Agent(FakeLink):
    """Boots the payload's kernels: the guest prints its kernel file's text and powers off.

    `die_at` RUN numbers (counted over every host boot) find a host whose agent line closes
    instead: the runner's HOST-ERROR."""

    def __init__(self, payload: dict[str, Path], runs: list[str], die_at: set[int],
                 die_for: tuple[str, ...] = (), meet: threading.Barrier | None = None):
        super().__init__()
        self.payload = payload
        self.runs = runs
        self.die_at = die_at
        self.die_for = die_for  # domain names (their starts) whose RUN breaks the host
        self.meet = meet        # the first RUN of each host waits here for the other hosts'

    def send(self, *words: str) -> None:
        self.sent.append(words)
        if words[0] != "RUN":
            return
        if self.meet is not None:
            # Only hosts that run at the same time get past this (else BrokenBarrierError).
            meet, self.meet = self.meet, None
            meet.wait()
        self.runs.append(words[1])
        if len(self.runs) in self.die_at or words[1].startswith(self.die_for):
            self.closed = True
            return
        name = Path(words[2]).stem  # /stages/<payload name>.elf
        text = self.payload[name].read_text()
        self.queue += [con(3, text), Message("END", ["poweroff", "20"])]


class Hosts:
    """The open_host of grade.Grader: a new FakeHost per boot, each boot remembered."""

    def __init__(self, die_at=(), fail_boots=0, die_for=(), meet=None):
        self.boots: list[dict[str, Path]] = []
        self.workdirs: list[Path] = []
        self.runs: list[str] = []
        self.die_at = set(die_at)
        self.die_for = tuple(die_for)
        self.fail_boots = fail_boots
        self.meet = meet

    def __call__(self, payload, workdir):
        self.boots.append(dict(payload))
        self.workdirs.append(workdir)
        if len(self.boots) <= self.fail_boots:
            return _Failing()
        # Only each lane's first boot meets the others: a reboot comes later, alone.
        meet = self.meet if len(self.boots) <= (self.meet.parties if self.meet else 0) else None
        return FakeHost(Agent(payload, self.runs, self.die_at, self.die_for, meet))


class _Failing:
    def __enter__(self):
        from checker.errors import HostError
        raise HostError("the test host's dom0 was not ready after 180 s\nlast lines ...")

    def __exit__(self, *exc):
        pass


def fake_bounded_run(cmd, log, watch, deadline, time_limit_s, size_limit, cwd=None):
    """cmake -S ... succeeds; cmake --build writes the kernel, or the compiler's complaint."""
    if cmd[1] != "--build":
        return bounded.BoundedRun(0, "", 0.1)
    tree, stage = Path(cmd[2]), cmd[4][len("stage-"):]
    src = tree.parent.parent / "src" / "stages" / stage
    if (src / "kernel" / "broken").exists():
        with open(log, "a") as handle:
            handle.write(COMPILER_LOG)
        return bounded.BoundedRun(2, "", 0.2)
    (tree / "kernel.elf").write_text((src / "kernel" / "prints.txt").read_text())
    return bounded.BoundedRun(0, "", 0.3)


def write_stage(root: Path, name: str, prints: str, broken: bool = False, **extra: str) -> Path:
    stage = root / name
    (stage / "kernel").mkdir(parents=True)
    (stage / "kernel" / "prints.txt").write_text(prints)
    (stage / "CMakeLists.txt").write_text("# a student's stage\n")
    if broken:
        (stage / "kernel" / "broken").write_text("")
    for file, text in extra.items():
        (stage / file).write_text(text)
    return stage


@pytest.fixture
def kit(tmp_path):
    """The grader's kit: 01-link (boot worth 2, trap-demo 1) and 06-hello (boot worth 3)."""
    root = tmp_path / "kit"
    for name, toml in (("01-link", STAGE_01), ("06-hello", STAGE_06)):
        stage = root / "stages" / name
        stage.mkdir(parents=True)
        (stage / "stage.toml").write_text(toml)
        (stage / "expected-console.txt").write_text("hello\n")
    (root / "stages" / "01-link" / "expected-trap-demo.txt").write_text("hello\n")
    (root / "cmake").mkdir()
    (root / "tools").mkdir()
    return root


@pytest.fixture
def class_of_three(tmp_path):
    """alice: a copy of the kit, all good.  bob: stage directories only; 06-hello does not build.
    carol: 01-link only, whose kernel prints the wrong thing, with her own 'expected' output."""
    subs = tmp_path / "subs"
    write_stage(subs / "alice" / "stages", "01-link", "hello\n")
    write_stage(subs / "alice" / "stages", "06-hello", "hello\n")
    (subs / "alice" / "README.md").parent.mkdir(parents=True, exist_ok=True)
    (subs / "alice" / "README.md").write_text("the rest of alice's kit\n")
    write_stage(subs / "bob", "01-link", "hello\n")
    write_stage(subs / "bob", "06-hello", "hello\n", broken=True)
    write_stage(subs / "carol" / "stages", "01-link", "goodbye\n",
                **{"expected-console.txt": "goodbye\n", "stage.toml": '[stage]\ntitle = "mine"\n'})
    return [subs / "alice", subs / "bob", subs / "carol"]


@pytest.fixture
def fake_builds(monkeypatch):
    monkeypatch.setattr(bounded, "run", fake_bounded_run)


def grade_cli(kit: Path, tmp_path: Path, dirs: list[Path], hosts: Hosts, monkeypatch, *more: str) -> int:
    monkeypatch.setattr(backends, "opener", lambda backend, accel, cache, log: hosts)
    return cli.main(["--repo", str(kit), "--build-dir", str(tmp_path / "build"), "grade",
                     *map(str, dirs), "--out", str(tmp_path / "out"), *more])


def read_csv(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def result(out: Path, *parts: str) -> dict:
    return json.loads((out / Path(*parts) / "result.json").read_text())


# -- the whole grading ---------------------------------------------------------------------


def test_a_class_is_graded_on_one_host_boot(kit, tmp_path, class_of_three, fake_builds, monkeypatch, capsys):
    hosts = Hosts()
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 0
    out = tmp_path / "out"
    assert len(hosts.boots) == 1
    # Every built kernel in that one boot, under a name of its own per student.
    assert sorted(hosts.boots[0]) == ["s001-01-link-kernel", "s001-06-hello-kernel", "s002-01-link-kernel",
                                      "s003-01-link-kernel"]
    assert hosts.workdirs == [out / "test-host" / "boot-1"]

    rows = {row["student"]: row for row in read_csv(out)}
    assert list(rows) == ["alice", "bob", "carol"]
    assert list(rows["alice"]) == ["student", "01-link", "01-link/trap-demo", "06-hello", "points",
                                   "max_points"]
    assert rows["alice"] == {"student": "alice", "01-link": "PASS", "01-link/trap-demo": "PASS",
                             "06-hello": "PASS", "points": "6", "max_points": "6"}
    assert (rows["bob"]["06-hello"], rows["bob"]["points"]) == ("BUILD-ERROR", "3")
    # carol's own transcript and stage.toml are not used: the grader's kit judges.
    assert [rows["carol"][k] for k in ("01-link", "01-link/trap-demo", "06-hello", "points")] == \
        ["MISMATCH", "MISMATCH", "MISSING", "0"]

    printed = capsys.readouterr().out
    assert "== alice ==" in printed and "Score: 6/6" in printed
    assert "Score: 3/6" in printed and "Score: 0/6" in printed
    assert "carol      0/6  2 MISMATCH, 1 MISSING" in printed
    assert (out / "summary.txt").read_text() in printed


def test_each_student_gets_consoles_diffs_results_and_a_build_log(kit, tmp_path, class_of_three, fake_builds,
                                                                  monkeypatch):
    grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch)
    out = tmp_path / "out"
    boot = out / "alice" / "01-link" / "boot"
    assert (boot / "console.txt").read_text() == "hello\n"
    assert (boot / "diff.txt").read_text() == ""
    assert result(out, "alice", "01-link", "boot")["verdict"] == "PASS"

    carol = out / "carol" / "01-link" / "boot"
    assert "-hello\n+goodbye" in (carol / "diff.txt").read_text()
    assert str(kit / "stages" / "01-link" / "expected-console.txt") in (carol / "diff.txt").read_text()
    missing = result(out, "carol", "06-hello", "boot")
    assert missing["verdict"] == "MISSING"
    assert str(tmp_path / "subs" / "carol" / "stages" / "06-hello") in missing["summary"]

    broken = result(out, "bob", "06-hello", "boot")
    assert broken["verdict"] == "BUILD-ERROR" and "expected ';'" in broken["details"]
    assert broken["summary"] == "the kernel did not build; the log is bob/build/06-hello.log"
    assert "expected ';'" in (out / "bob" / "build" / "06-hello.log").read_text()
    (class_of_three[1] / "01-link" / "kernel" / "broken").write_text("")
    grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch)
    assert result(out, "bob", "01-link", "trap-demo")["summary"] == \
        "the kernel did not build (as for 01-link); the log is bob/build/01-link.log"
    assert sorted(p.name for p in (out / "bob" / "06-hello" / "boot").iterdir()) == ["result.json"]
    # Built from a copy: the build never writes into the submission.
    assert (out / "bob" / "src" / "stages" / "01-link" / "kernel" / "prints.txt").exists()
    assert (out / "bob" / "src" / "cmake").resolve() == kit / "cmake"


def test_junit_per_student_with_points(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch)
    suite = ET.parse(tmp_path / "out" / "bob" / "junit.xml").getroot()
    assert (suite.tag, suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors")) == \
        ("testsuite", "bob", "3", "0", "1")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {"student": "bob", "points": "3", "max_points": "6"}
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == ["01-link", "01-link/trap-demo", "06-hello"]
    assert cases["01-link"].find("properties/property").get("value") == "2/2"
    assert cases["06-hello"].find("properties/property").get("value") == "0/3"
    assert cases["06-hello"].find("error").get("type") == "BUILD-ERROR"

    carol = ET.parse(tmp_path / "out" / "carol" / "junit.xml").getroot()
    assert (carol.get("failures"), carol.get("errors")) == ("3", "0")  # MISSING counts as failed
    assert carol.find("testcase[@name='06-hello']/failure").get("type") == "MISSING"


def test_a_host_error_reboots_the_host_and_grading_goes_on(kit, tmp_path, class_of_three, fake_builds,
                                                           monkeypatch, capsys):
    hosts = Hosts(die_at={4})  # bob's 01-link: the 4th scenario booted
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 1
    out = tmp_path / "out"
    assert len(hosts.boots) == 2 and hosts.boots[0] == hosts.boots[1]
    assert hosts.workdirs == [out / "test-host" / "boot-1", out / "test-host" / "boot-2"]
    # The next scenario runs on the new host, with fresh domain numbers; a domain's name says
    # whose kernel it is, for Xen's serial log.
    assert hosts.runs == ["alice-01-link-1", "alice-01-link-trap-demo-2", "alice-06-hello-3", "bob-01-link-4",
                          "bob-01-link-trap-demo-1", "carol-01-link-2", "carol-01-link-trap-demo-3"]
    rows = {row["student"]: row for row in read_csv(out)}
    assert rows["bob"]["01-link"] == "HOST-ERROR"
    assert rows["bob"]["01-link/trap-demo"] == "PASS"
    assert rows["alice"]["points"] == "6"
    res = result(out, "bob", "01-link", "boot")
    assert res["verdict"] == "HOST-ERROR" and "closed the agent line" in res["summary"]
    printed = capsys.readouterr().out
    assert "[4/7] bob 01-link: HOST-ERROR" in printed
    assert "test host: rebooting for the next scenario (3 left)" in printed
    assert "grade again: bob" in printed


def test_a_host_that_does_not_come_up_twice_is_given_up(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    hosts = Hosts(fail_boots=2)
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 1
    assert len(hosts.boots) == 2 and hosts.runs == []
    rows = read_csv(tmp_path / "out")
    assert rows[0]["01-link"] == "HOST-ERROR"
    assert rows[2]["06-hello"] == "MISSING"  # not a host matter
    assert "did not come up 2 times in a row" in result(tmp_path / "out", "alice", "06-hello", "boot")["summary"]


def test_one_failed_boot_is_retried(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    hosts = Hosts(fail_boots=1)
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 0
    assert len(hosts.boots) == 2 and len(hosts.runs) == 7


def test_a_kernel_that_breaks_every_host_stops_after_three_in_a_row(kit, tmp_path, class_of_three, fake_builds,
                                                                    monkeypatch):
    hosts = Hosts(die_at={2, 3, 4})
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 1
    assert len(hosts.boots) == 3 and len(hosts.runs) == 4
    rows = read_csv(tmp_path / "out")
    assert [rows[0][k] for k in ("01-link", "01-link/trap-demo", "06-hello")] == \
        ["PASS", "HOST-ERROR", "HOST-ERROR"]
    assert "3 scenarios in a row ended in HOST-ERROR" in result(tmp_path / "out", "carol", "01-link", "boot")[
        "summary"]


def test_a_second_grading_leaves_nothing_of_the_first(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch)
    out = tmp_path / "out"
    assert (out / "bob" / "01-link" / "boot" / "console.txt").exists()
    (class_of_three[1] / "01-link" / "kernel" / "broken").write_text("")
    grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch)
    assert sorted(p.name for p in (out / "bob" / "01-link" / "boot").iterdir()) == ["result.json"]
    assert read_csv(out)[1]["01-link"] == "BUILD-ERROR"


def test_stage_option_grades_only_that_stage(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    hosts = Hosts()
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch, "--stage", "06") == 0
    assert list(read_csv(tmp_path / "out")[0]) == ["student", "06-hello", "points", "max_points"]
    assert sorted(hosts.boots[0]) == ["s001-06-hello-kernel"]


def test_a_broken_reference_stage_is_refused_before_anything_is_built(kit, tmp_path, class_of_three,
                                                                      fake_builds, monkeypatch, capsys):
    (kit / "stages" / "01-link" / "expected-trap-demo.txt").unlink()
    hosts = Hosts()
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "the kit's own stages are not ready to grade against" in err and "expected-trap-demo.txt" in err
    assert hosts.boots == [] and not (tmp_path / "out").exists()


def test_a_big_class_is_booted_in_groups_of_whole_students(kit, tmp_path, class_of_three, fake_builds,
                                                           monkeypatch):
    monkeypatch.setattr(grade, "PAYLOAD_BUDGET_MB", 0)  # no two students' kernels fit together
    hosts = Hosts()
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch) == 0
    assert [sorted(boot) for boot in hosts.boots] == [
        ["s001-01-link-kernel", "s001-06-hello-kernel"], ["s002-01-link-kernel"], ["s003-01-link-kernel"]]


def test_two_hosts_grade_at_once_with_the_same_grades(kit, tmp_path, class_of_three, fake_builds,
                                                      monkeypatch, capsys):
    # Each host's first RUN waits until the other host's has come too: this test ends only if
    # the two hosts really run at the same time.
    hosts = Hosts(meet=threading.Barrier(2, timeout=10))
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch, "--hosts", "2") == 0
    out = tmp_path / "out"
    # alice (3 scenarios) on one host; bob (2, his 06 did not build) and carol (2) on the other.
    assert sorted(sorted(boot) for boot in hosts.boots) == [
        ["s001-01-link-kernel", "s001-06-hello-kernel"], ["s002-01-link-kernel", "s003-01-link-kernel"]]
    assert sorted(hosts.workdirs) == [out / "test-host" / "boot-1", out / "test-host" / "boot-2"]
    rows = {row["student"]: row for row in read_csv(out)}
    assert [rows[s]["points"] for s in ("alice", "bob", "carol")] == ["6", "3", "0"]
    assert rows["carol"]["01-link"] == "MISMATCH"
    printed = capsys.readouterr().out
    assert "test hosts: 2 at once, students host 1: alice; host 2: bob, carol" in printed
    assert "host 2: [" in printed and "on 2 test hosts at once" in printed


def test_a_host_error_on_one_of_two_hosts_reboots_only_that_host(kit, tmp_path, class_of_three, fake_builds,
                                                                 monkeypatch, capsys):
    hosts = Hosts(die_for=("bob-01-link-1",))
    assert grade_cli(kit, tmp_path, class_of_three, hosts, monkeypatch, "--hosts", "2") == 1
    rows = {row["student"]: row for row in read_csv(tmp_path / "out")}
    assert rows["bob"]["01-link"] == "HOST-ERROR" and rows["bob"]["01-link/trap-demo"] == "PASS"
    assert rows["alice"]["points"] == "6" and rows["carol"]["01-link"] == "MISMATCH"
    # alice's host booted once; bob and carol's twice (the second for what was left after bob).
    assert len(hosts.boots) == 3
    assert sum(1 for boot in hosts.boots if "s001-01-link-kernel" in boot) == 1
    printed = capsys.readouterr().out
    assert "host 2: test host: rebooting for the next scenario (3 left)" in printed
    assert "host 1: test host: rebooting" not in printed


def test_hosts_must_be_positive_and_only_for_test_hosts(kit, tmp_path, class_of_three, fake_builds,
                                                        monkeypatch, capsys):
    assert grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch, "--hosts", "0") == 2
    assert "--hosts must be positive" in capsys.readouterr().err
    assert grade_cli(kit, tmp_path, class_of_three, Hosts(), monkeypatch, "--hosts", "2", "--backend", "xl") == 2
    assert "the xl back end is this machine's one Xen" in capsys.readouterr().err


def test_a_stopped_build_says_why(kit, tmp_path, class_of_three, monkeypatch):
    def hangs(cmd, log, watch, deadline, time_limit_s, size_limit, cwd=None):
        return bounded.BoundedRun(None, f"it ran longer than {time_limit_s:g} s", time_limit_s)

    monkeypatch.setattr(bounded, "run", hangs)
    assert grade_cli(kit, tmp_path, class_of_three[:1], Hosts(), monkeypatch, "--build-timeout", "7") == 0
    res = result(tmp_path / "out", "alice", "06-hello", "boot")
    assert (res["verdict"], res["summary"]) == ("BUILD-ERROR", "the build was stopped: it ran longer than 7 s")


def test_a_kernel_too_big_for_the_host_is_a_build_error(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    monkeypatch.setattr(grade_build.Limits, "__init__", _limits_with(kernel_mb=0))
    hosts = Hosts()
    grade_cli(kit, tmp_path, class_of_three[:1], hosts, monkeypatch)
    res = result(tmp_path / "out", "alice", "01-link", "boot")
    assert res["verdict"] == "BUILD-ERROR" and "at most 0 MiB is booted" in res["summary"]
    assert hosts.boots == []


def test_a_submission_too_big_to_copy_is_not_built(kit, tmp_path, class_of_three, fake_builds, monkeypatch):
    monkeypatch.setattr(grade_build.Limits, "__init__", _limits_with(source_mb=0))
    grade_cli(kit, tmp_path, class_of_three[:1], Hosts(), monkeypatch)
    res = result(tmp_path / "out", "alice", "06-hello", "boot")
    assert res["verdict"] == "BUILD-ERROR"
    assert res["summary"].startswith(f"the stage was not built: {class_of_three[0] / 'stages' / '06-hello'} "
                                     "holds more than 0 MiB")


def _limits_with(**changed):
    original = grade_build.Limits.__init__

    def init(self, **given):
        original(self, **{**given, **changed})
    return init


# -- points in stage.toml ------------------------------------------------------------------


def test_points_default_to_one_and_may_be_set_per_stage_or_scenario(kit):
    stages = {s.name: s for s in discover(kit / "stages")}
    assert [sc.points for sc in stages["01-link"].scenarios] == [2, 1]
    assert [sc.points for sc in stages["06-hello"].scenarios] == [3]


@pytest.mark.parametrize("value, words", [("-1", "must be at least 0 points"),
                                          ('"2"', "must be a whole number of points"),
                                          ("1.5", "must be a whole number of points")])
def test_points_must_be_a_whole_number(tmp_path, value, words):
    stage = tmp_path / "01-link"
    stage.mkdir()
    (stage / "stage.toml").write_text(f'[stage]\ntitle = "t"\n[run]\nexpect_end = "shutdown"\npoints = {value}\n')
    with pytest.raises(SpecError, match=words):
        load_stage(stage)


# -- submissions ---------------------------------------------------------------------------


def test_both_layouts_are_found(kit, class_of_three):
    stages = discover(kit / "stages")
    alice, bob, carol = submission.find(class_of_three, stages)
    assert (alice.layout(), bob.layout()) == ("a copy of the kit", "stage directories")
    assert list(alice.present) == ["01-link", "06-hello"] and list(carol.present) == ["01-link"]
    assert bob.present["06-hello"] == class_of_three[1] / "06-hello"


@pytest.mark.parametrize("name, words", [("anna smith", "may hold only letters"),
                                         ("test-host", "may not be called 'test-host'")])
def test_names_that_cannot_be_a_row_are_refused(tmp_path, name, words):
    (tmp_path / name).mkdir()
    with pytest.raises(UsageError, match=words):
        submission.find([tmp_path / name], [])


def test_two_submissions_of_one_name_are_refused(tmp_path):
    for parent in ("a", "b"):
        (tmp_path / parent / "alice").mkdir(parents=True)
    with pytest.raises(UsageError, match="same name 'alice'"):
        submission.find([tmp_path / "a" / "alice", tmp_path / "b" / "alice"], [])


def test_the_copy_leaves_out_fifos_and_keeps_links(tmp_path):
    source = write_stage(tmp_path, "01-link", "hello\n")
    os.mkfifo(source / "kernel" / "pipe")  # reading it would block the grader forever
    (source / "link.txt").symlink_to("kernel/prints.txt")
    notes = submission.copy_stage(source, tmp_path / "copy", 1024 * 1024)
    assert notes == [f"left out {source / 'kernel' / 'pipe'}: not a regular file, directory or link"]
    assert os.readlink(tmp_path / "copy" / "link.txt") == "kernel/prints.txt"
    assert (tmp_path / "copy" / "kernel" / "prints.txt").read_text() == "hello\n"


def test_a_copy_again_rewrites_exactly_what_changed(tmp_path):
    source = write_stage(tmp_path, "01-link", "hello\n", **{"old.txt": "gone soon\n", "same.txt": "same\n"})
    dest = tmp_path / "copy"
    submission.copy_stage(source, dest, 1024 * 1024)
    long_ago = time.time() - 3600
    os.utime(dest / "same.txt", (long_ago, long_ago))
    # A fixed file unpacked from the student's archive with its old time: it must still count as new.
    (source / "kernel" / "prints.txt").write_text("fixed\n")
    os.utime(source / "kernel" / "prints.txt", (long_ago - 3600, long_ago - 3600))
    (source / "old.txt").unlink()
    submission.copy_stage(source, dest, 1024 * 1024)
    assert (dest / "kernel" / "prints.txt").read_text() == "fixed\n"
    assert (dest / "kernel" / "prints.txt").stat().st_mtime > long_ago
    assert (dest / "same.txt").stat().st_mtime == pytest.approx(long_ago)  # untouched: nothing to rebuild
    assert not (dest / "old.txt").exists()


def test_a_huge_submission_is_not_copied(tmp_path):
    source = write_stage(tmp_path, "01-link", "x" * 5000)
    with pytest.raises(submission.CopyRefused, match="more than 0 MiB"):
        submission.copy_stage(source, tmp_path / "copy", 4096)
    assert not (tmp_path / "copy").exists()


# -- the limits, for real ------------------------------------------------------------------


def _dead(pid: int) -> bool:
    """Gone, or a zombie (dead; this container's init may be slow to reap what it inherits)."""
    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.02)
    return False


def test_a_build_that_hangs_is_stopped_with_everything_it_started(tmp_path):
    pids = tmp_path / "pids"
    t0 = time.monotonic()
    run = bounded.run(["sh", "-c", f"sleep 60 & echo $! > {pids}; sleep 60"], tmp_path / "log", [tmp_path],
                      time.monotonic() + 0.5, 0.5, 64 * bounded.MIB)
    assert run.stopped == "it ran longer than 0.5 s" and run.returncode is None
    assert time.monotonic() - t0 < 5
    assert _dead(int(pids.read_text()))  # the background sleep went too


def test_a_build_that_writes_without_end_is_stopped_at_its_limit(tmp_path):
    script = "i=0; while :; do i=$((i+1)); head -c 1048576 /dev/zero > f$i; done"
    run = bounded.run(["sh", "-c", script], tmp_path / "log", [tmp_path / "tree"], time.monotonic() + 30, 30,
                      4 * bounded.MIB, cwd=_made(tmp_path / "tree"))
    assert run.stopped.startswith("it reached its output limit of 4 MiB")
    assert run.seconds < 10


def test_one_file_beyond_the_limit_fails_the_build_and_says_why(tmp_path):
    run = bounded.run(["sh", "-c", "head -c 10485760 /dev/zero > big"], tmp_path / "log", [tmp_path / "tree"],
                      time.monotonic() + 30, 30, 4 * bounded.MIB, cwd=_made(tmp_path / "tree"))
    assert run.stopped.startswith("it reached its output limit of 4 MiB")
    assert (tmp_path / "tree" / "big").stat().st_size == 4 * bounded.MIB  # RLIMIT_FSIZE held it there


def test_a_flooding_build_log_counts_too(tmp_path):
    run = bounded.run(["sh", "-c", "yes flood"], tmp_path / "log", [_made(tmp_path / "tree")],
                      time.monotonic() + 30, 30, 2 * bounded.MIB)
    assert run.stopped.startswith("it reached its output limit of 2 MiB")
    assert (tmp_path / "log").stat().st_size <= 2 * bounded.MIB


def test_a_build_within_its_limits_just_runs(tmp_path):
    run = bounded.run(["sh", "-c", "echo built; exit 3"], tmp_path / "log", [tmp_path], time.monotonic() + 30, 30,
                      4 * bounded.MIB)
    assert (run.returncode, run.stopped) == (3, "")
    assert (tmp_path / "log").read_text() == "built\n"


def _made(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
