"""The runner's protocol logic against a scripted agent: no Xen, no QEMU."""
import time
from pathlib import Path

import pytest

from checker.errors import HostError
from checker.run_result import RunResult
from checker.runner import Host, Runner
from checker.spec import InputStep, Rule, Scenario
from checker.testhost.link import Message, parse_line
from checker.verdict import Verdict


def scenario(tmp_path: Path, **changes) -> Scenario:
    fields = dict(stage="01-link", name="boot", kernel="kernel.elf", memory_mb=32, timeout_s=5.0,
                  expect_end="crash", cmdline="", transcript=tmp_path / "expected.txt", inputs=(),
                  rules=(), max_console_bytes=1000)
    fields.update(changes)
    return Scenario(**fields)


def con(ms: int, text: str) -> Message:
    return Message("CON", [str(ms), text.encode().hex()])


class FakeLink:
    """Answers commands with scripted messages; recv() gives None (a timeout) when none is left."""

    def __init__(self, on_run=(), on_kill=(), on_input=None):
        self.sent: list[tuple[str, ...]] = []
        self.queue: list[Message] = []
        self.on_run = list(on_run)
        self.on_kill = list(on_kill)
        self.on_input = on_input
        self.closed = False

    def send(self, *words: str) -> None:
        self.sent.append(words)
        if words[0] == "RUN":
            self.queue += self.on_run
        elif words[0] == "KILL":
            self.queue += self.on_kill
        elif words[0] == "INPUT" and self.on_input:
            self.queue += self.on_input(bytes.fromhex(words[1]).decode())

    def recv(self, timeout: float):
        return self.queue.pop(0) if self.queue else None


class FakeHost:
    """A host that is already up; everything the Host protocol names, nothing more."""

    def __init__(self, link):
        self.link = link
        self.accel_reason = "a fake"
        self.xen_version = "4.17"
        self.boot_seconds = 0.0

    def __enter__(self) -> "FakeHost":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def kernel_path(self, name: str) -> str:
        return f"/stages/{name}.elf"

    def serial_tail(self, lines: int = 25) -> str:
        return "(serial tail)"


def test_the_fake_host_is_a_whole_host():
    assert isinstance(FakeHost(FakeLink()), Host)


def test_run_sends_name_kernel_memory_and_hex_cmdline(tmp_path):
    link = FakeLink(on_run=[con(5, "hi\n"), Message("END", ["crash", "900"])])
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, cmdline="a=b"), "01-link-kernel")
    cmd, name, kernel, mem, cmdline = link.sent[0]
    assert (cmd, kernel, mem) == ("RUN", "/stages/01-link-kernel.elf", "32")
    assert name == "01-link-1"
    assert bytes.fromhex(cmdline) == b"a=b"
    assert result.console == b"hi\n"
    assert result.end == "crash"
    assert result.elapsed_s == pytest.approx(0.9)
    assert result.first_byte_s == pytest.approx(0.005)


def test_run_sends_a_ramdisk_when_asked(tmp_path):
    link = FakeLink(on_run=[Message("END", ["poweroff", "10"])])
    Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path), "linux", ramdisk="linux-initrd")
    assert link.sent[0][0] == "RUN"
    assert link.sent[0][-1] == "ramdisk=/stages/linux-initrd.elf"


def test_result_says_when_a_text_appeared(tmp_path):
    link = FakeLink(on_run=[con(5, "booting\nHello "), con(40, "World!\n"), Message("END", ["poweroff", "90"])])
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path), "06-hello")
    assert result.seconds_until(b"booting") == pytest.approx(0.005)
    assert result.seconds_until(b"Hello World!") == pytest.approx(0.040)
    assert result.seconds_until(b"Goodbye") is None


def test_seconds_until_needs_the_whole_text_to_have_arrived():
    result = RunResult(console=b"abcdef", end="poweroff", elapsed_s=1.0, arrivals=[(0.5, 3), (0.75, 6)])
    assert result.seconds_until(b"abc") == 0.5
    assert result.seconds_until(b"cd") == 0.75  # half of it came in the first piece
    assert RunResult(console=b"abc", end="crash", elapsed_s=1.0).seconds_until(b"a") is None  # no arrivals kept


def test_domain_names_are_unique_per_run(tmp_path):
    link = FakeLink(on_run=[Message("END", ["poweroff", "10"])])
    runner = Runner(FakeHost(link), tmp_path)
    sc = scenario(tmp_path, name="trap-demo")
    runner.execute(sc, "k")
    runner.execute(sc, "k")
    assert [s[1] for s in link.sent if s[0] == "RUN"] == ["01-link-trap-demo-1", "01-link-trap-demo-2"]


def test_a_run_for_an_owner_names_the_domain_after_them_and_keeps_its_files_where_asked(tmp_path):
    (tmp_path / "expected.txt").write_text("hi\n")
    link = FakeLink(on_run=[con(5, "hi\n"), Message("END", ["crash", "900"])])
    runner = Runner(FakeHost(link), tmp_path / "own")
    outcome = runner.run(scenario(tmp_path), "k", results_dir=tmp_path / "Bob Smith", owner="Bob Smith")
    assert outcome.verdict is Verdict.PASS
    assert [s[1] for s in link.sent if s[0] == "RUN"] == ["bob-smith-01-link-1"]
    assert (tmp_path / "Bob Smith" / "01-link" / "boot" / "result.json").is_file()
    assert not (tmp_path / "own").exists() and runner.results_dir == tmp_path / "own"
    runner.execute(scenario(tmp_path), "k", owner="a-very-long-student-name-indeed")
    assert link.sent[-1][1] == "a-very-long-student-name-01-link-2"  # the owner's first 24 characters


def test_silence_until_the_timeout_destroys_the_domain(tmp_path):
    link = FakeLink(on_run=[con(1, "booting\n")], on_kill=[Message("END", ["destroyed", "5000"])])
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path), "k")
    assert ("KILL",) in link.sent
    assert result.end == "timeout"
    assert result.console == b"booting\n"


def test_a_guest_that_prints_forever_is_stopped_at_the_bound(tmp_path):
    flood = [con(i, "x" * 100) for i in range(30)]
    link = FakeLink(on_run=flood, on_kill=[Message("END", ["destroyed", "100"])])
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, max_console_bytes=1000), "k")
    assert result.end == "output-limit"
    assert len(result.console) == 1000
    assert link.sent.count(("KILL",)) == 1


def test_input_is_sent_once_its_prompt_appears_in_the_normalised_console(tmp_path):
    # Matching runs on the normalised console, whose lines lose their trailing spaces.
    steps = (InputStep(after=r"your name\?$", send="Gopher\n"),)
    link = FakeLink(on_run=[con(1, "What is your "), con(2, "name? ")],
                    on_input=lambda text: [con(3, f"Hello, {text}"), Message("END", ["poweroff", "50"])])
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    inputs = [s for s in link.sent if s[0] == "INPUT"]
    assert [bytes.fromhex(s[1]) for s in inputs] == [b"Gopher\n"]
    assert result.console.endswith(b"Hello, Gopher\n")


def test_input_prompt_is_matched_after_the_stage_rules(tmp_path):
    # The prompt contains a machine frame; the stage's own rule hides it before matching.
    steps = (InputStep(after=r"frame <f> ready", send="go\n"),)
    rules = (Rule(pattern=r"frame \d+", replace="frame <f>"),)
    link = FakeLink(on_run=[con(1, "frame 1234 ready\n")],
                    on_input=lambda text: [Message("END", ["poweroff", "5"])])
    Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, inputs=steps, rules=rules), "k")
    assert any(s[0] == "INPUT" for s in link.sent)


def test_xl_lines_become_host_messages(tmp_path):
    said = "xc_dom_find_loader: no loader found"
    link = FakeLink(on_run=[Message("XL", [said.encode().hex()]), Message("END", ["xl-failed", "20"])])
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path), "k")
    assert result.host_messages == [said]
    assert result.end == "xl-failed"


@pytest.mark.parametrize("msg", ["RUN refused: kernel image not found in dom0: /stages/k.elf",
                                 # Seen with --backend xl when its work directory was not made.
                                 "RUN refused: cannot write /b/checker/host/agent-work/k-1.cfg: "
                                 "No such file or directory"])
def test_a_refused_run_is_a_host_error_at_once(tmp_path, msg):
    link = FakeLink(on_run=[Message("ERR", [msg.encode().hex()])])
    t0 = time.monotonic()
    with pytest.raises(HostError, match="RUN refused: "):
        Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, timeout_s=30.0), "k")
    assert time.monotonic() - t0 < 5  # not after the scenario's timeout: no guest will ever end


def test_a_closed_agent_line_is_a_host_error_with_the_serial_tail(tmp_path):
    link = FakeLink(on_run=[con(1, "x")])
    link.closed = True
    with pytest.raises(HostError, match=r"closed the agent line[\s\S]*serial tail"):
        Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path), "k")


def test_a_domain_that_xl_cannot_destroy_is_a_host_error(tmp_path):
    link = FakeLink(on_run=[], on_kill=[])
    with pytest.raises(HostError, match="did not destroy"):
        Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path), "k")


def test_run_judges_and_keeps_console_diff_and_result(tmp_path):
    sc = scenario(tmp_path)
    sc.transcript.write_text("hello\n")
    link = FakeLink(on_run=[con(1, "hello\r\nextra\r\n"), Message("END", ["crash", "10"])])
    outcome = Runner(FakeHost(link), tmp_path / "results").run(sc, "k")
    assert outcome.verdict is Verdict.MISMATCH
    kept = tmp_path / "results" / "01-link" / "boot"
    assert (kept / "console.raw.txt").read_bytes() == b"hello\r\nextra\r\n"
    assert (kept / "console.txt").read_text() == "hello\nextra\n"
    assert "+extra" in (kept / "diff.txt").read_text()
    assert '"verdict": "MISMATCH"' in (kept / "result.json").read_text()


def test_run_starts_from_an_empty_result_directory(tmp_path):
    sc = scenario(tmp_path)
    sc.transcript.write_text("hello\n")
    kept = tmp_path / "results" / "01-link" / "boot"
    kept.mkdir(parents=True)
    (kept / "left-by-an-earlier-run.txt").write_text("stale")
    link = FakeLink(on_run=[con(1, "hello\n"), Message("END", ["crash", "10"])])
    Runner(FakeHost(link), tmp_path / "results").run(sc, "k")
    assert sorted(p.name for p in kept.iterdir()) == [
        "console.raw.txt", "console.txt", "diff.txt", "result.json", "xl.txt"]


@pytest.mark.parametrize("line, kind, fields", [
    ("@CON 12 6869", "CON", ["12", "6869"]),
    ("@END crash 900\r", "END", ["crash", "900"]),
    ("@PONG", "PONG", []),
])
def test_agent_lines_parse(line, kind, fields):
    msg = parse_line(line)
    assert (msg.kind, msg.fields) == (kind, fields)


@pytest.mark.parametrize("noise", ["", "dom0-init: hello", "@", "   "])
def test_non_agent_lines_are_ignored(noise):
    assert parse_line(noise) is None


def test_control_characters_reach_the_agent_byte_for_byte(tmp_path):
    # ^C, ^D, DEL and a lone CR (Enter) must not be translated on the way to the pty.
    steps = (InputStep(after=r"name\?$", send="Gophre\x7f\x7fer\r\x04\x03"),)
    link = FakeLink(on_run=[con(1, "name? ")], on_input=lambda text: [Message("END", ["poweroff", "5"])])
    Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    sent = [bytes.fromhex(s[1]) for s in link.sent if s[0] == "INPUT"]
    assert sent == [b"Gophre\x7f\x7fer\r\x04\x03"]


def test_a_delayed_input_waits_and_is_not_taken_for_a_timeout(tmp_path):
    steps = (InputStep(after=r"tick 1$", send="now\r", delay_s=0.3),)
    link = FakeLink(on_run=[con(1, "tick 1\n")], on_input=lambda text: [Message("END", ["poweroff", "400"])])
    t0 = time.monotonic()
    result = Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, inputs=steps, timeout_s=5), "k")
    assert time.monotonic() - t0 >= 0.3
    assert result.end == "poweroff"
    assert ("KILL",) not in link.sent
    assert [bytes.fromhex(s[1]) for s in link.sent if s[0] == "INPUT"] == [b"now\r"]


def test_steps_are_sent_in_order_each_after_its_own_prompt(tmp_path):
    steps = (InputStep(after=r"first\?$", send="1\r"), InputStep(after=r"second\?$", send="2\r"))
    replies = {"1\r": [con(3, "1\nsecond? ")], "2\r": [con(4, "2\n"), Message("END", ["poweroff", "9"])]}
    link = FakeLink(on_run=[con(1, "first? ")], on_input=lambda text: replies[text])
    Runner(FakeHost(link), tmp_path).execute(scenario(tmp_path, inputs=steps), "k")
    assert [bytes.fromhex(s[1]) for s in link.sent if s[0] == "INPUT"] == [b"1\r", b"2\r"]
