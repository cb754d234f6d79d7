"""How to run a stage: reads and checks `stages/NN-name/stage.toml`.

Every stage says, in one small TOML file, how its kernel is booted (memory, command line,
time limit), how the run is expected to end (clean shutdown or a deliberate crash) and which
transcript its console must match. A stage may list several scenarios, for example a normal
boot and a boot that triggers a trap on purpose.

The file is checked strictly: an unknown key is an error rather than being ignored, because a
misspelt `timout_s` that silently falls back to the default is much harder to notice than a
clear message. Every error names the file, the table and the key.
"""
from __future__ import annotations

import difflib
import math
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Callable

from . import network
from .errors import SpecError
from .payload import PAYLOADS

SPEC_FILE = "stage.toml"
DEFAULT_SCENARIO = "boot"
END_KINDS = ("shutdown", "crash")
MIN_MEMORY_MB = 4

# "01-link": two digits, a dash, then lowercase words joined by dashes.
STAGE_DIR_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
SCENARIO_NAME_RE = re.compile(r"^[a-z0-9-]+$")

# Values used when neither [run] nor the scenario sets a key. expect_end has no default on
# purpose: whether a stage ends in a crash or a shutdown is part of what it teaches.
RUN_DEFAULTS: dict[str, Any] = {
    "kernel": "kernel.elf",
    "memory_mb": 32,
    "timeout_s": 30.0,
    "cmdline": "",
    "transcript": "expected-console.txt",
    "max_console_bytes": 262144,
    "vif": False,
    "points": 1,
}
DEFAULT_DOM0_TIMEOUT_S = 60.0
MAX_DOM0_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class InputStep:
    """One step of a scenario, taken once the console shows `after` and the step before it is
    done: text typed into the guest console, a network tool run in dom0, or frames sent to the
    guest's vif (exactly one of send, dom0 and send_frames is set)."""

    after: str  # regex searched (re.MULTILINE) in the normalised console so far: lines have lost
                # their trailing spaces, so a prompt "name? " is matched by r"name\?$"
    send: str = ""  # text sent to the guest console once `after` matched (control characters as
                    # TOML escapes: "\r" Enter, "\u0003" ^C, "\u0004" ^D, "\u007f" DEL)
    delay_s: float = 0.0  # how long to wait after the match before taking the step
    dom0: tuple[str, ...] = ()  # a tool and its arguments, as written ("ping", "-c", "10", ...)
    send_frames: str = ""       # a corpus of checker/frame_corpus.py
    timeout_s: float = DEFAULT_DOM0_TIMEOUT_S  # how long the dom0 tool may run before it is stopped

    @property
    def kind(self) -> str:
        """"send", "dom0" or "frames"."""
        return "dom0" if self.dom0 else "frames" if self.send_frames else "send"


@dataclass(frozen=True)
class Rule:
    """A regex substitution (re.MULTILINE) that hides a value which changes between boots."""

    pattern: str
    replace: str
    why: str = ""


def scenario_id(stage: str, name: str) -> str:
    """How the checker names scenario `name` (stage.toml's) of `stage` in reports and on the
    command line: the default scenario is the stage's own name, any other "stage/name".  Labs
    name scenarios the same way (tools/make-lab.py's LAB.md, the book's {lab} lists)."""
    return stage if name == DEFAULT_SCENARIO else f"{stage}/{name}"


@dataclass(frozen=True)
class Scenario:
    """One boot of a stage's kernel and what its console must show."""

    stage: str            # "01-link"
    name: str             # "boot" when the stage has no [[scenario]] tables
    kernel: str           # file name of the built kernel in the stage's build directory
    memory_mb: int
    timeout_s: float
    expect_end: str       # "shutdown" or "crash"
    cmdline: str
    transcript: Path      # absolute path of the expected console transcript
    inputs: tuple[InputStep, ...]
    rules: tuple[Rule, ...]  # stage-specific normalisation rules, applied after the defaults
    max_console_bytes: int
    vif: bool = False     # the guest gets a network interface on dom0's bridge (checker/network.py)
    points: int = 1       # what a PASS is worth when `checker grade` adds up a student's score

    @property
    def id(self) -> str:
        """The name used on the command line and in reports.

        A stage's only boot is just "01-link"; a named scenario is "01-link/trap-demo".
        """
        return scenario_id(self.stage, self.name)


@dataclass(frozen=True)
class Stage:
    """A stage directory and the scenarios its stage.toml describes."""

    name: str             # "01-link"
    number: int           # 1
    title: str
    directory: Path       # absolute
    scenarios: tuple[Scenario, ...]
    # Set (and scenarios empty) when stage.toml is wrong and discover() was asked to keep
    # broken stages: the SpecError's message, naming the file, the table and the key.
    error: str = ""

    @property
    def short_name(self) -> str:
        """The part after the number: "link" for "01-link"."""
        return self.name.split("-", 1)[1]


# ---------------------------------------------------------------------------------------------
# Checking values. Each check gets a _Where so that its message can name the file and table.


def _line_of(file: Path, key: str) -> int | None:
    """The line number of `key = ...` in the file when exactly one line sets that key.

    tomllib gives values without their lines, so this is a search; a key set in several tables
    (`name`, `pattern`) gets no line rather than possibly the wrong one, and the table name in
    the message still says where.
    """
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    setting = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    found = [number for number, text in enumerate(lines, start=1) if setting.match(text)]
    return found[0] if len(found) == 1 else None


class _Where:
    """Names the place in stage.toml that is being checked, for error messages."""

    def __init__(self, file: Path, table: str):
        self.file = file
        self.table = table

    def error(self, key: str, problem: str) -> SpecError:
        line = _line_of(self.file, key)
        place = f"{self.file}:{line}" if line else f"{self.file}"
        return SpecError(f"{place}: in {self.table}, key '{key}': {problem}")

    def check_keys(self, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in table:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(key, allowed, n=1)
            maybe = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise self.error(key, f"unknown key{maybe}. Allowed keys here: {', '.join(allowed)}")


def _kind(value: Any) -> str:
    """Names a TOML value's type the way the stage.toml author wrote it."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _text(where: _Where, key: str, value: Any, *, empty_ok: bool = True) -> str:
    if not isinstance(value, str):
        raise where.error(key, f"must be text in quotes, got {_kind(value)}")
    if not empty_ok and not value:
        raise where.error(key, "must not be empty")
    return value


def _whole(where: _Where, key: str, value: Any, minimum: int, unit: str) -> int:
    # bool is a subclass of int in Python; `memory_mb = true` is still a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(key, f"must be a whole number of {unit}, got {_kind(value)}")
    if value < minimum:
        raise where.error(key, f"must be at least {minimum} {unit}, got {value}")
    return value


def _relative_file(where: _Where, key: str, value: Any) -> str:
    value = _text(where, key, value, empty_ok=False)
    path = PurePath(value)
    if path.is_absolute() or ".." in path.parts:
        raise where.error(key, f"must be a file name inside the stage directory, got {value!r}")
    return value


def _check_memory(where: _Where, key: str, value: Any) -> int:
    return _whole(where, key, value, MIN_MEMORY_MB, "MiB")


def _seconds(where: _Where, key: str, value: Any) -> float:
    # bool is a subclass of int in Python; `timeout_s = true` is still a mistake.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.error(key, f"must be a number of seconds, got {_kind(value)}")
    return float(value)


def _check_timeout(where: _Where, key: str, value: Any) -> float:
    seconds = _seconds(where, key, value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise where.error(key, f"must be a positive number of seconds, got {value}")
    return seconds


def _check_end(where: _Where, key: str, value: Any) -> str:
    value = _text(where, key, value)
    if value not in END_KINDS:
        raise where.error(key, f"must be \"shutdown\" or \"crash\", got {value!r}")
    return value


def _check_max_bytes(where: _Where, key: str, value: Any) -> int:
    return _whole(where, key, value, 1, "bytes")


def _check_points(where: _Where, key: str, value: Any) -> int:
    # 0 is allowed: a scenario shown in the grade table that counts for nothing (a demo).
    return _whole(where, key, value, 0, "points")


def _check_bool(where: _Where, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"must be true or false (without quotes), got {_kind(value)}")
    return value


# Keys allowed both in [run] and in a [[scenario]], with their checks.
_RUN_CHECKS: dict[str, Callable[[_Where, str, Any], Any]] = {
    "kernel": _relative_file,
    "memory_mb": _check_memory,
    "timeout_s": _check_timeout,
    "expect_end": _check_end,
    "cmdline": _text,
    "transcript": _relative_file,
    "max_console_bytes": _check_max_bytes,
    "vif": _check_bool,
    "points": _check_points,
}
_TOP_KEYS = ("stage", "run", "normalize", "input", "scenario")
_STAGE_KEYS = ("title",)
_RULE_KEYS = ("pattern", "replace", "why")
_INPUT_KEYS = ("after", "send", "send_generated", "dom0", "send_frames", "delay_s", "timeout_s")
_STEP_ACTIONS = ("send", "send_generated", "dom0", "send_frames")
_SCENARIO_KEYS = ("name", *_RUN_CHECKS, "input", "normalize")


def _regex(where: _Where, key: str, value: Any) -> re.Pattern[str]:
    value = _text(where, key, value, empty_ok=False)
    try:
        return re.compile(value, re.MULTILINE)
    except re.error as exc:
        raise where.error(key, f"is not a valid regular expression: {exc}") from None


def _table(where: _Where, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(key, f"must be a table ([{key}]), got {_kind(value)}")
    return value


def _list_of_tables(where: _Where, key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise where.error(key, f"must be a list of tables, written [[{key}]], got {_kind(value)}")
    return value


def _run_settings(where: _Where, table: dict[str, Any]) -> dict[str, Any]:
    """Checks the [run] keys present in `table` and returns only those."""
    return {key: _RUN_CHECKS[key](where, key, table[key]) for key in _RUN_CHECKS if key in table}


def _rules(file: Path, table_name: str, value: Any, where: _Where) -> tuple[Rule, ...]:
    rules = []
    for index, item in enumerate(_list_of_tables(where, "normalize", value), start=1):
        here = _Where(file, f"{table_name} #{index}")
        here.check_keys(item, _RULE_KEYS)
        for required in ("pattern", "replace"):
            if required not in item:
                raise here.error(required, "is missing (every rule needs a pattern and a replace)")
        compiled = _regex(here, "pattern", item["pattern"])
        replace = _text(here, "replace", item["replace"])
        try:
            compiled.sub(replace, "")  # Checks group references such as \1 in the replacement.
        except (re.error, IndexError) as exc:
            raise here.error("replace", f"is not a valid replacement for the pattern: {exc}") from None
        # A rule hides part of the console from the comparison, so a reader of stage.toml
        # must be able to tell why that part may differ between boots without being a bug.
        if "why" not in item:
            raise here.error("why", "is missing: a rule hides console output from the comparison, "
                                    "so it must say why that output may change between boots")
        why = _text(here, "why", item["why"]).strip()
        if not why:
            raise here.error("why", "must not be empty: say why the output this rule hides may "
                                    "change between boots")
        rules.append(Rule(compiled.pattern, replace, why))
    return tuple(rules)


def _dom0_command(where: _Where, value: Any) -> tuple[str, ...]:
    text = _text(where, "dom0", value, empty_ok=False)
    try:
        argv = tuple(shlex.split(text))
    except ValueError as exc:  # an unclosed quote
        raise where.error("dom0", f"cannot be split into words like a shell would: {exc}") from None
    if not argv:
        raise where.error("dom0", "must name a tool")
    if argv[0] not in network.TOOLS:
        raise where.error("dom0", f"runs {argv[0]!r}, but a dom0 step may only run "
                                  f"{' or '.join(network.TOOLS)} (by name, without a path)")
    return argv


def _corpus(where: _Where, value: Any) -> str:
    name = _text(where, "send_frames", value, empty_ok=False)
    known = network.corpora()
    if name not in known:
        raise where.error("send_frames", f"is {name!r}, which checker/frame_corpus.py does not make "
                                         f"(known: {', '.join(sorted(known))})")
    return name


def _step(here: _Where, item: dict[str, Any]) -> InputStep:
    here.check_keys(item, _INPUT_KEYS)
    actions = [key for key in _STEP_ACTIONS if key in item]
    if "after" not in item:
        raise here.error("after", "is missing (every step needs 'after' and one of "
                                  f"{', '.join(_STEP_ACTIONS)})")
    after = _regex(here, "after", item["after"]).pattern
    if len(actions) != 1:
        given = f"it has {' and '.join(actions)}" if actions else "it has none"
        raise here.error(actions[0] if actions else "send",
                         f"a step does one thing: give exactly one of 'send' (text for the console), "
                         f"'send_generated' (one of: {', '.join(sorted(PAYLOADS))}), 'dom0' (a "
                         f"command run in dom0) or 'send_frames' (a frame corpus); {given}")
    raw_delay = item.get("delay_s", 0.0)
    delay = _seconds(here, "delay_s", raw_delay)
    if not 0 <= delay <= 60:  # also refuses nan
        raise here.error("delay_s", f"must be a number of seconds from 0 to 60, got {raw_delay!r}")
    if "timeout_s" in item and actions[0] != "dom0":
        raise here.error("timeout_s", "belongs to a 'dom0' step only (how long its tool may run)")
    action = actions[0]
    if action == "dom0":
        timeout = _check_timeout(here, "timeout_s", item.get("timeout_s", DEFAULT_DOM0_TIMEOUT_S))
        if timeout > MAX_DOM0_TIMEOUT_S:
            raise here.error("timeout_s", f"must be at most {MAX_DOM0_TIMEOUT_S:g} seconds, got {timeout:g}")
        return InputStep(after, delay_s=delay, dom0=_dom0_command(here, item["dom0"]), timeout_s=timeout)
    if action == "send_frames":
        return InputStep(after, delay_s=delay, send_frames=_corpus(here, item["send_frames"]))
    if action == "send":
        return InputStep(after, _text(here, "send", item["send"], empty_ok=False), delay)
    name = _text(here, "send_generated", item["send_generated"], empty_ok=False)
    if name not in PAYLOADS:
        raise here.error("send_generated", f"is {name!r}, which the checker cannot make "
                                           f"(known: {', '.join(sorted(PAYLOADS))})")
    return InputStep(after, PAYLOADS[name](), delay)


def _inputs(file: Path, table_name: str, value: Any, where: _Where) -> tuple[InputStep, ...]:
    return tuple(_step(_Where(file, f"{table_name} #{index}"), item)
                 for index, item in enumerate(_list_of_tables(where, "input", value), start=1))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path}: not valid UTF-8 text") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read it: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------------
# Loading stages.


def _scenario(stage_name: str, directory: Path, name: str, settings: dict[str, Any],
              inputs: tuple[InputStep, ...], rules: tuple[Rule, ...], where: _Where) -> Scenario:
    merged = {**RUN_DEFAULTS, **settings}
    if "expect_end" not in merged:
        raise where.error("expect_end", "is missing: set it to \"shutdown\" or \"crash\" "
                                        "in [run] or in this scenario")
    networked = [step for step in inputs if step.kind != "send"]
    if networked and not merged["vif"]:
        what = "dom0" if networked[0].kind == "dom0" else "send_frames"
        raise where.error("vif", f"must be true for a scenario with a '{what}' step: without a vif "
                                 "the guest is not on dom0's network")
    return Scenario(
        stage=stage_name,
        name=name,
        kernel=merged["kernel"],
        memory_mb=merged["memory_mb"],
        timeout_s=float(merged["timeout_s"]),
        expect_end=merged["expect_end"],
        cmdline=merged["cmdline"],
        transcript=directory / merged["transcript"],
        inputs=inputs,
        rules=rules,
        max_console_bytes=merged["max_console_bytes"],
        vif=merged["vif"],
        points=merged["points"],
    )


def load_stage(directory: Path) -> Stage:
    """Reads `directory/stage.toml`; raises SpecError naming the file and key when it is wrong."""
    directory = Path(directory).resolve()
    match = STAGE_DIR_RE.match(directory.name)
    if not match:
        raise SpecError(f"{directory}: a stage directory must be named like '01-link' "
                        "(two digits, a dash, a lowercase name)")
    file = directory / SPEC_FILE
    if not file.is_file():
        raise SpecError(f"{file}: not found (every stage describes how to run it in {SPEC_FILE})")
    data = _read_toml(file)
    top = _Where(file, "the top level")
    top.check_keys(data, _TOP_KEYS)
    title = _title(file, top, data)
    stage_wide = _stage_wide(file, top, data)
    if "scenario" not in data:
        only = _scenario(directory.name, directory, DEFAULT_SCENARIO, stage_wide.run, stage_wide.inputs,
                         stage_wide.rules, _Where(file, "[run]"))
        return Stage(directory.name, int(match.group(1)), title, directory, (only,))
    tables = _list_of_tables(top, "scenario", data["scenario"])
    if not tables:
        raise top.error("scenario", "is an empty list: remove it or add [[scenario]] tables")
    scenarios: list[Scenario] = []
    for index, table in enumerate(tables, start=1):
        scenarios.append(_named_scenario(directory, index, table, stage_wide, scenarios))
    return Stage(directory.name, int(match.group(1)), title, directory, tuple(scenarios))


def _title(file: Path, top: _Where, data: dict[str, Any]) -> str:
    """The [stage] table's title, the only key it has."""
    if "stage" not in data:
        raise top.error("stage", "is missing: add a [stage] table with a title")
    where = _Where(file, "[stage]")
    table = _table(top, "stage", data["stage"])
    where.check_keys(table, _STAGE_KEYS)
    if "title" not in table:
        raise where.error("title", "is missing: every stage needs a title")
    return _text(where, "title", table["title"], empty_ok=False)


@dataclass(frozen=True)
class _StageWide:
    """What [run], [[input]] and [[normalize]] give every scenario of a stage."""

    run: dict[str, Any]            # the [run] keys present, checked
    inputs: tuple[InputStep, ...]
    rules: tuple[Rule, ...]


def _stage_wide(file: Path, top: _Where, data: dict[str, Any]) -> _StageWide:
    run_where = _Where(file, "[run]")
    run_table = _table(top, "run", data.get("run", {}))
    run_where.check_keys(run_table, tuple(_RUN_CHECKS))
    run = _run_settings(run_where, run_table)
    rules = _rules(file, "[[normalize]]", data.get("normalize", []), top)
    return _StageWide(run, _inputs(file, "[[input]]", data.get("input", []), top), rules)


def _named_scenario(directory: Path, index: int, table: dict[str, Any], stage_wide: _StageWide,
                    earlier: list[Scenario]) -> Scenario:
    """The scenario of the index-th [[scenario]] table, after the `earlier` ones."""
    file = directory / SPEC_FILE
    where = _Where(file, f"[[scenario]] #{index}")
    where.check_keys(table, _SCENARIO_KEYS)
    if "name" not in table:
        raise where.error("name", "is missing: every [[scenario]] needs a name")
    name = _text(where, "name", table["name"], empty_ok=False)
    if not SCENARIO_NAME_RE.match(name):
        raise where.error("name", f"must use only a-z, 0-9 and '-', got {name!r}")
    if any(s.name == name for s in earlier):
        raise where.error("name", f"scenario {name!r} is defined twice")
    where = _Where(file, f"[[scenario]] {name!r}")
    settings = {**stage_wide.run, **_run_settings(where, table)}
    inputs = stage_wide.inputs
    if "input" in table:  # A scenario's own inputs replace the stage's.
        inputs = _inputs(file, f"[[scenario.input]] of {name!r}", table["input"], where)
    rules = stage_wide.rules + _rules(file, f"[[scenario.normalize]] of {name!r}", table.get("normalize", []), where)
    return _scenario(directory.name, directory, name, settings, inputs, rules, where)


def _load_or_keep_error(directory: Path, keep_broken: bool) -> Stage:
    try:
        return load_stage(directory)
    except SpecError as exc:
        if not keep_broken:
            raise
        directory = directory.resolve()
        number = int(STAGE_DIR_RE.match(directory.name).group(1))
        return Stage(directory.name, number, "(its stage.toml is wrong)", directory, (), str(exc))


def discover(stages_dir: Path, keep_broken: bool = False) -> list[Stage]:
    """Loads every `NN-name` directory in `stages_dir` that has a stage.toml, by number.

    Other directories (notes, shared code, a stage still without stage.toml) are skipped.
    keep_broken: a stage whose stage.toml is wrong comes back with `error` set instead of
    failing the whole discovery, so that one bad file cannot stop every other stage from being
    listed and checked (the command line does this; tools that want all or nothing do not).
    """
    stages_dir = Path(stages_dir)
    if not stages_dir.is_dir():
        raise SpecError(f"{stages_dir}: the stages directory does not exist")
    stages = [
        _load_or_keep_error(entry, keep_broken)
        for entry in stages_dir.iterdir()
        if entry.is_dir() and STAGE_DIR_RE.match(entry.name) and (entry / SPEC_FILE).is_file()
    ]
    stages.sort(key=lambda stage: (stage.number, stage.name))
    for before, after in zip(stages, stages[1:]):
        if before.number == after.number:
            raise SpecError(f"{stages_dir}: stages {before.name} and {after.name} share the "
                            f"number {after.number:02d}; every stage needs its own number")
    return stages


def transcript_problem(scenario: Scenario) -> str | None:
    """Says what is wrong when the transcript a scenario names does not exist, else None.

    Not an error of load_stage: `checker record` must be able to load a scenario whose
    transcript it is about to write.  `checker run` asks this before it builds or boots
    anything, so that a misspelt file name costs no host boot.
    """
    if scenario.transcript.is_file():
        return None
    directory = scenario.transcript.parent
    others = sorted(p.name for p in directory.glob("*.txt")) if directory.is_dir() else []
    hint = difflib.get_close_matches(scenario.transcript.name, others, n=1)
    maybe = f" (did you mean '{hint[0]}'?)" if hint else ""
    return (f"{directory / SPEC_FILE}: scenario {scenario.id} names the transcript "
            f"'{scenario.transcript.name}', which does not exist{maybe}. If the name is right, "
            f"record it with `python3 -m checker record {scenario.id}`")
