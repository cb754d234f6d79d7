"""`checker record` writes a transcript only when the guest ended the way stage.toml expects.

The build and the host are replaced by fakes: what is tested is the decision, which must read
the guest's end exactly as the verdict does (poweroff is a shutdown).
"""
import contextlib
from pathlib import Path

import pytest

from checker import cli
from checker.dom0_steps import Dom0Step
from checker.errors import UsageError
from checker.run_result import RunResult

STEPS: dict[str, list[Dom0Step]] = {}  # scenario id -> the dom0 steps its fake run took

STAGE_TOML = """\
[stage]
title = "Hello"

[run]
expect_end = "shutdown"

[[scenario]]
name = "boot"

[[scenario]]
name = "panic"
transcript = "expected-panic.txt"
expect_end = "crash"
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    stage = tmp_path / "stages" / "06-hello"
    stage.mkdir(parents=True)
    (stage / "stage.toml").write_text(STAGE_TOML)
    ends: dict[str, str] = {}  # scenario id -> how its fake run ends
    STEPS.clear()

    class FakeRunner:
        def __init__(self, host, results_dir, log):
            pass

        def execute(self, scenario, kernel_name):
            console = f"{scenario.id} says hi  \r\n".encode()  # normalising drops the spaces and \r
            return RunResult(console=console, end=ends[scenario.id], elapsed_s=1.0,
                             dom0=STEPS.get(scenario.id, []))

    def fake_build(args, selection):
        kernels = {cli._kernel_name(sc): Path("kernel.elf") for _, scs in selection for sc in scs}
        return kernels, []

    monkeypatch.setattr(cli, "_build", fake_build)
    monkeypatch.setattr(cli, "_host", lambda args, payload: contextlib.nullcontext(object()))
    monkeypatch.setattr(cli, "Runner", FakeRunner)
    return tmp_path, stage, ends


def record(root: Path, *argv: str) -> int:
    args = cli._parser().parse_args(["--repo", str(root), "record", *argv])
    args.build_dir = root / "build"
    return cli.cmd_record(args)


def test_a_poweroff_is_the_shutdown_the_stage_expects(repo, capsys):
    root, stage, ends = repo
    ends["06-hello"] = "poweroff"
    assert record(root, "06-hello/boot") == 0
    assert (stage / "expected-console.txt").read_text() == "06-hello says hi\n"  # normalised
    assert "06-hello: recorded 1 lines" in capsys.readouterr().out


def test_a_deliberate_crash_is_recorded(repo):
    root, stage, ends = repo
    ends["06-hello/panic"] = "crash"
    assert record(root, "06-hello/panic") == 0
    assert (stage / "expected-panic.txt").read_text() == "06-hello/panic says hi\n"


@pytest.mark.parametrize("scenario, end", [("06-hello", "crash"), ("06-hello/panic", "poweroff"),
                                           ("06-hello", "timeout")])
def test_the_wrong_end_is_not_recorded(repo, capsys, scenario, end):
    root, stage, ends = repo
    ends[scenario] = end
    assert record(root, scenario if "/" in scenario else scenario + "/boot") == 1
    assert not list(stage.glob("expected-*.txt"))
    assert f"{scenario}: NOT recorded: the guest ended with {end}" in capsys.readouterr().out


def test_force_records_the_wrong_end_anyway(repo):
    root, stage, ends = repo
    ends.update({"06-hello": "crash", "06-hello/panic": "crash"})
    # The whole stage: its boot is forced, its panic scenario ended as expected anyway.
    assert record(root, "--force", "06-hello") == 0
    assert (stage / "expected-console.txt").read_text() == "06-hello says hi\n"
    assert (stage / "expected-panic.txt").exists()


def test_record_wants_the_stages_named(repo):
    root, _, _ = repo
    with pytest.raises(UsageError, match="name the stages to record"):
        record(root)


def test_the_dom0_blocks_are_recorded_after_the_console(repo):
    root, stage, ends = repo
    ends["06-hello"] = "poweroff"
    STEPS["06-hello"] = [Dom0Step("dom0", argv=("ping", "-c", "1", "10.99.0.2"), output=b"1 received  \n",
                                  rc=0, how="exit")]
    assert record(root, "06-hello/boot") == 0
    assert (stage / "expected-console.txt").read_text() == (
        "06-hello says hi\n--- dom0: ping -c 1 10.99.0.2 (exit 0) ---\n1 received\n")


def test_a_tool_that_had_to_be_stopped_is_not_recorded(repo, capsys):
    root, stage, ends = repo
    ends["06-hello"] = "poweroff"
    STEPS["06-hello"] = [Dom0Step("dom0", argv=("ping", "10.99.0.2"), rc=1, how="timeout", timeout_s=60)]
    assert record(root, "06-hello/boot") == 1
    assert not (stage / "expected-console.txt").exists()
    assert "NOT recorded: dom0's `ping 10.99.0.2` did not end within 60 s" in capsys.readouterr().out
