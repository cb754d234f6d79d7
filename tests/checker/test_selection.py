"""Turning command-line names (`02-traps/trap-demo`, `02`, `traps`) into stages and scenarios."""
from pathlib import Path
from textwrap import dedent

import pytest

from checker.errors import CheckerError, UsageError
from checker.selection import select
from checker.spec import discover

ONE_BOOT = """
[stage]
title = "{title}"

[run]
expect_end = "crash"
"""

TWO_SCENARIOS = """
[stage]
title = "Traps and faults"

[run]
expect_end = "shutdown"

[[scenario]]
name = "plain"

[[scenario]]
name = "trap-demo"
cmdline = "selftest=pagefault"
expect_end = "crash"
"""


def make_stage(parent: Path, name: str, toml: str) -> None:
    directory = parent / name
    directory.mkdir(parents=True)
    (directory / "stage.toml").write_text(dedent(toml), encoding="utf-8")


@pytest.fixture
def stages(tmp_path):
    make_stage(tmp_path, "01-link", ONE_BOOT.format(title="Link: the C++ kernel calls Go's Main"))
    make_stage(tmp_path, "02-traps", TWO_SCENARIOS)
    make_stage(tmp_path, "12-console", ONE_BOOT.format(title="Console"))
    return discover(tmp_path)


def ids(selection):
    return [(stage.name, [s.id for s in scenarios]) for stage, scenarios in selection]


def test_select_nothing_means_everything(stages):
    assert ids(select(stages, [])) == [
        ("01-link", ["01-link"]),
        ("02-traps", ["02-traps/plain", "02-traps/trap-demo"]),
        ("12-console", ["12-console"]),
    ]


@pytest.mark.parametrize("name", ["02-traps", "02", "2", "traps"])
def test_select_accepts_every_form_of_a_stage_name(stages, name):
    assert ids(select(stages, [name])) == [("02-traps", ["02-traps/plain", "02-traps/trap-demo"])]


def test_select_one_scenario(stages):
    assert ids(select(stages, ["02-traps/trap-demo"])) == [("02-traps", ["02-traps/trap-demo"])]
    assert ids(select(stages, ["traps/plain"])) == [("02-traps", ["02-traps/plain"])]


def test_select_keeps_the_users_order_without_duplicates(stages):
    assert ids(select(stages, ["12", "link", "01-link", "1"])) == [
        ("12-console", ["12-console"]),
        ("01-link", ["01-link"]),
    ]


def test_select_merges_scenarios_of_one_stage(stages):
    assert ids(select(stages, ["02/trap-demo", "12", "02-traps"])) == [
        ("02-traps", ["02-traps/trap-demo", "02-traps/plain"]),
        ("12-console", ["12-console"]),
    ]


def test_select_unknown_stage_lists_the_stages(stages):
    with pytest.raises(UsageError) as caught:
        select(stages, ["01", "foo"])
    assert str(caught.value) == (
        "unknown stage 'foo'. Stages: 01-link (Link: the C++ kernel calls Go's Main), "
        "02-traps (Traps and faults), 12-console (Console)")
    assert isinstance(caught.value, CheckerError)


@pytest.mark.parametrize("number", ["7", "07"])
def test_select_a_number_without_a_stage_says_it_is_not_in_this_edition(stages, number):
    with pytest.raises(UsageError) as caught:
        select(stages, [number])
    assert str(caught.value) == "stage 07 is not in this edition yet (stages here: 01-link … 12-console)"


def test_select_a_broken_stage_gives_it_without_scenarios(tmp_path):
    make_stage(tmp_path, "01-link", ONE_BOOT.format(title="Link"))
    make_stage(tmp_path, "02-traps", "[stage]\n")
    stages = discover(tmp_path, keep_broken=True)
    # Named whole or with a scenario: it cannot be run, and the caller reports its error.
    for names in (["02"], ["02-traps/plain"], []):
        picked = {stage.name: scenarios for stage, scenarios in select(stages, names)}
        assert picked["02-traps"] == []
    assert "title" in stages[1].error


def test_select_unknown_scenario_lists_the_scenarios(stages):
    with pytest.raises(UsageError, match="02-traps has no scenario 'nope'. Its scenarios: plain, trap-demo"):
        select(stages, ["02/nope"])


def test_select_from_no_stages(tmp_path):
    assert select([], []) == []
    with pytest.raises(UsageError, match=r"unknown stage 'link'. Stages: \(no stages found\)"):
        select([], ["link"])
    with pytest.raises(UsageError, match=r"stage 01 is not in this edition yet \(stages here: none\)"):
        select([], ["01"])


def test_select_a_named_boot_scenario_of_a_one_boot_stage(stages):
    # A stage without [[scenario]] tables has one scenario, "boot", whose id is the stage's name.
    assert ids(select(stages, ["01-link/boot"])) == [("01-link", ["01-link"])]


def test_select_gives_the_stages_own_scenario_objects(stages):
    [(stage, scenarios)] = select(stages, ["02"])
    assert stage is stages[1]
    assert all(a is b for a, b in zip(scenarios, stage.scenarios))
