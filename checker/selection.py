"""Choosing what to run from the names on the command line.

`python3 -m checker run 06-hello/cgo 05` names stages and scenarios the way a person types
them; this turns those names into the stages and scenarios that spec.py loaded.  It is apart
from spec.py because it reads no file: it only matches names against stages already checked.
(Not called `select.py`, so that it cannot be mistaken for the standard library's `select`.)
"""
from __future__ import annotations

from .errors import UsageError
from .spec import Scenario, Stage


def _stage_list(stages: list[Stage]) -> str:
    if not stages:
        return "(no stages found)"
    return ", ".join(f"{stage.name} ({stage.title})" for stage in stages)


def _find_stage(stages: list[Stage], wanted: str, asked: str) -> Stage:
    for stage in stages:
        if wanted in (stage.name, stage.short_name):
            return stage
        if wanted.isdigit() and int(wanted) == stage.number:
            return stage
    if wanted.isdigit():
        # A number is most likely a stage of a later edition of the kit, not a typo.
        here = f"{stages[0].name} … {stages[-1].name}" if stages else "none"
        raise UsageError(f"stage {int(wanted):02d} is not in this edition yet (stages here: {here})")
    raise UsageError(f"unknown stage {asked!r}. Stages: {_stage_list(stages)}")


def select(stages: list[Stage], names: list[str]) -> list[tuple[Stage, list[Scenario]]]:
    """Turns command-line names into the stages and scenarios to run.

    No names means everything. A stage may be named "01-link", "01", "1" or "link"; one of its
    scenarios as "01-link/trap-demo". The user's order is kept and nothing is run twice.
    """
    if not names:
        return [(stage, list(stage.scenarios)) for stage in stages]
    chosen: dict[str, tuple[Stage, list[Scenario]]] = {}
    for asked in names:
        stage_part, slash, scenario_part = asked.partition("/")
        stage = _find_stage(stages, stage_part, asked)
        if stage.error:
            # Its stage.toml is wrong, so it has no scenarios to choose from; the caller
            # reports the error for the stage as a whole.
            chosen.setdefault(stage.name, (stage, []))
            continue
        if slash:
            wanted = [s for s in stage.scenarios if s.name == scenario_part]
            if not wanted:
                known = ", ".join(s.name for s in stage.scenarios)
                raise UsageError(f"stage {stage.name} has no scenario {scenario_part!r}. "
                                 f"Its scenarios: {known}")
        else:
            wanted = list(stage.scenarios)
        _, picked = chosen.setdefault(stage.name, (stage, []))
        picked.extend(s for s in wanted if s not in picked)
    return list(chosen.values())
