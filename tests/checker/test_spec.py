"""stage.toml parsing and stage discovery (choosing stages by name: test_selection.py)."""
from pathlib import Path
from textwrap import dedent

import pytest

from checker.errors import SpecError
from checker.spec import InputStep, Rule, discover, load_stage, transcript_problem

MINIMAL = """
[stage]
title = "Link: the C++ kernel calls Go's Main"

[run]
expect_end = "crash"
"""


def make_stage(parent: Path, name: str, toml: str = MINIMAL) -> Path:
    directory = parent / name
    directory.mkdir(parents=True)
    (directory / "stage.toml").write_text(dedent(toml), encoding="utf-8")
    return directory


def test_minimal_stage_gets_one_boot_scenario_with_defaults(tmp_path):
    stage = load_stage(make_stage(tmp_path, "01-link"))
    assert (stage.name, stage.number, stage.title) == ("01-link", 1, "Link: the C++ kernel calls Go's Main")
    assert stage.directory == (tmp_path / "01-link").resolve()
    [boot] = stage.scenarios
    assert boot.name == "boot"
    assert boot.id == "01-link"
    assert boot.stage == "01-link"
    assert boot.kernel == "kernel.elf"
    assert boot.memory_mb == 32
    assert boot.timeout_s == 30.0
    assert boot.expect_end == "crash"
    assert boot.cmdline == ""
    assert boot.transcript == stage.directory / "expected-console.txt"
    assert boot.transcript.is_absolute()
    assert boot.max_console_bytes == 262144
    assert boot.inputs == ()
    assert boot.rules == ()


def test_run_table_sets_every_value(tmp_path):
    stage = load_stage(make_stage(tmp_path, "02-memory", """
        [stage]
        title = "Memory"
        [run]
        memory_mb = 64
        timeout_s = 12
        expect_end = "shutdown"
        cmdline = "verbose"
        transcript = "console.txt"
        max_console_bytes = 1000
        kernel = "other.elf"
        [[normalize]]
        pattern = 'heap at 0x[0-9a-f]+'
        replace = 'heap at <addr>'
        why = "the heap moves"
        [[input]]
        after = 'What is your name\\?'
        send = "Gopher\\n"
    """))
    [boot] = stage.scenarios
    assert boot.memory_mb == 64
    assert boot.timeout_s == 12.0 and isinstance(boot.timeout_s, float)
    assert boot.expect_end == "shutdown"
    assert boot.cmdline == "verbose"
    assert boot.transcript == stage.directory / "console.txt"
    assert boot.max_console_bytes == 1000
    assert boot.kernel == "other.elf"
    assert boot.rules == (Rule("heap at 0x[0-9a-f]+", "heap at <addr>", "the heap moves"),)
    assert boot.inputs == (InputStep(r"What is your name\?", "Gopher\n"),)


SCENARIOS = """
[stage]
title = "Traps"

[run]
memory_mb = 48
expect_end = "shutdown"

[[normalize]]
pattern = 'stage rule'
replace = 'STAGE'
why = "the stage prints it differently on every boot"

[[input]]
after = 'prompt>'
send = "stage input\\n"

[[scenario]]
name = "plain"

[[scenario]]
name = "trap-demo"
cmdline = "selftest=pagefault"
transcript = "expected-trap-demo.txt"
expect_end = "crash"

[[scenario.input]]
after = 'other>'
send = "own input\\n"

[[scenario.normalize]]
pattern = 'scenario rule'
replace = 'SCENARIO'
why = "the trap demo prints it differently on every boot"
"""


def test_scenarios_inherit_run_and_override_it(tmp_path):
    stage = load_stage(make_stage(tmp_path, "03-traps", SCENARIOS))
    plain, trap = stage.scenarios
    assert [s.id for s in stage.scenarios] == ["03-traps/plain", "03-traps/trap-demo"]
    assert (plain.memory_mb, plain.expect_end, plain.cmdline) == (48, "shutdown", "")
    assert plain.transcript == stage.directory / "expected-console.txt"
    assert (trap.memory_mb, trap.expect_end, trap.cmdline) == (48, "crash", "selftest=pagefault")
    assert trap.transcript == stage.directory / "expected-trap-demo.txt"


def test_scenario_inputs_replace_and_rules_extend_the_stage_ones(tmp_path):
    plain, trap = load_stage(make_stage(tmp_path, "03-traps", SCENARIOS)).scenarios
    assert plain.inputs == (InputStep("prompt>", "stage input\n"),)
    assert trap.inputs == (InputStep("other>", "own input\n"),)
    assert [r.replace for r in plain.rules] == ["STAGE"]
    assert [r.replace for r in trap.rules] == ["STAGE", "SCENARIO"]


def test_scenario_can_clear_stage_inputs_with_an_empty_list(tmp_path):
    stage = load_stage(make_stage(tmp_path, "04-quiet", """
        [stage]
        title = "Quiet"
        [run]
        expect_end = "crash"
        [[input]]
        after = 'x'
        send = "y"
        [[scenario]]
        name = "silent"
        input = []
    """))
    assert stage.scenarios[0].inputs == ()


def test_scenario_named_boot_keeps_the_plain_stage_id(tmp_path):
    stage = load_stage(make_stage(tmp_path, "05-two", """
        [stage]
        title = "Two"
        [run]
        expect_end = "crash"
        [[scenario]]
        name = "boot"
        [[scenario]]
        name = "extra"
    """))
    assert [s.id for s in stage.scenarios] == ["05-two", "05-two/extra"]


HEAD = '[stage]\ntitle = "T"\n'


@pytest.mark.parametrize("toml, key, problem", [
    (HEAD + '[run]\nexpect_end = "crash"\ntimout_s = 5\n', "timout_s", "did you mean 'timeout_s'"),
    (HEAD + '[run]\nexpect_end = "crash"\n[extra]\n', "extra", "unknown key"),
    ('[stage]\ntitle = "T"\nauthor = "me"\n[run]\nexpect_end = "crash"\n', "author", "unknown key"),
    (HEAD + '[run]\nexpect_end = "crash"\nmemory_mb = "32"\n', "memory_mb", "whole number"),
    (HEAD + '[run]\nexpect_end = "crash"\nmemory_mb = 2\n', "memory_mb", "at least 4"),
    (HEAD + '[run]\nexpect_end = "crash"\nmemory_mb = true\n', "memory_mb", "whole number"),
    (HEAD + '[run]\nexpect_end = "crash"\ntimeout_s = 0\n', "timeout_s", "positive"),
    (HEAD + '[run]\nexpect_end = "crash"\ntimeout_s = -1.5\n', "timeout_s", "positive"),
    (HEAD + '[run]\nexpect_end = "crash"\ntimeout_s = "30"\n', "timeout_s", "number of seconds"),
    (HEAD + '[run]\nexpect_end = "crash"\nmax_console_bytes = 0\n', "max_console_bytes", "at least 1"),
    (HEAD + '[run]\nexpect_end = "halt"\n', "expect_end", "\"shutdown\" or \"crash\""),
    (HEAD + '[run]\nmemory_mb = 32\n', "expect_end", "missing"),
    (HEAD + '[run]\nexpect_end = "crash"\ncmdline = 3\n', "cmdline", "text"),
    (HEAD + '[run]\nexpect_end = "crash"\ntranscript = "/etc/passwd"\n', "transcript", "inside the stage"),
    (HEAD + '[run]\nexpect_end = "crash"\ntranscript = "../other.txt"\n', "transcript", "inside the stage"),
    ('[run]\nexpect_end = "crash"\n', "stage", "missing"),
    ('[stage]\n[run]\nexpect_end = "crash"\n', "title", "missing"),
    ('[stage]\ntitle = ""\n[run]\nexpect_end = "crash"\n', "title", "empty"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[normalize]]\npattern = "a(b"\nreplace = "x"\n',
     "pattern", "not a valid regular expression"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[normalize]]\npattern = "(a)"\nreplace = "\\\\2"\n',
     "replace", "not a valid replacement"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[normalize]]\npattern = "a"\n', "replace", "missing"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[normalize]]\npattern = "a"\nreplace = "b"\nwhy = 1\n',
     "why", "text"),
    # A rule hides console output, so it must say why; at the top and in a scenario.
    (HEAD + '[run]\nexpect_end = "crash"\n[[normalize]]\npattern = "a"\nreplace = "b"\n',
     "why", "a rule hides console output from the comparison, so it must say why"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[normalize]]\npattern = "a"\nreplace = "b"\nwhy = "  "\n',
     "why", "must not be empty"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\nname = "a"\n[[scenario.normalize]]\n'
     'pattern = "a"\nreplace = "b"\n', "why", "must say why"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nafter = "[unclosed"\nsend = "x"\n',
     "after", "not a valid regular expression"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nafter = "ok"\n', "send", "exactly one of"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nafter = "ok"\nsend = "x"\nsend_generated = "paste-64k"\n',
     "send", "exactly one of"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nafter = "ok"\nsend_generated = "nonsense"\n',
     "send_generated", "cannot make"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nafter = "ok"\nsend = "x"\ndelay_s = -1\n',
     "delay_s", "from 0 to 60"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nsend = "x"\n', "after", "missing"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[input]]\nafter = "ok"\nsend = "x"\nwait = 1\n',
     "wait", "unknown key"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\nname = "a"\n[[scenario]]\nname = "a"\n',
     "name", "defined twice"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\nname = "Trap Demo"\n', "name", "a-z, 0-9"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\ncmdline = "x"\n', "name", "missing"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\nname = "a"\nmemory = 8\n',
     "memory", "did you mean 'memory_mb'"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\nname = "a"\ntimeout_s = 0\n',
     "timeout_s", "positive"),
    (HEAD + '[run]\nexpect_end = "crash"\n[scenario]\nname = "a"\n', "scenario", "[[scenario]]"),
    (HEAD + '[run]\nexpect_end = "crash"\n[[scenario]]\nname = "a"\n[[scenario.normalize]]\n'
     'pattern = "("\nreplace = ""\n', "pattern", "not a valid regular expression"),
    (HEAD + '[[scenario]]\nname = "a"\nexpect_end = "crash"\n[[scenario]]\nname = "b"\n',
     "expect_end", "missing"),
])
def test_spec_errors_name_the_file_and_the_key(tmp_path, toml, key, problem):
    directory = make_stage(tmp_path, "01-link", toml)
    with pytest.raises(SpecError) as caught:
        load_stage(directory)
    message = str(caught.value)
    assert str(directory / "stage.toml") in message
    assert f"'{key}'" in message
    assert problem in message


def test_toml_syntax_error_gives_the_line_number(tmp_path):
    directory = make_stage(tmp_path, "01-link", '[stage]\ntitle = "T"\nmemory_mb = \n')
    with pytest.raises(SpecError, match=r"not valid TOML.*line 3") as caught:
        load_stage(directory)
    assert str(directory / "stage.toml") in str(caught.value)


def test_missing_stage_toml_is_a_spec_error(tmp_path):
    (tmp_path / "01-link").mkdir()
    with pytest.raises(SpecError, match="stage.toml"):
        load_stage(tmp_path / "01-link")


def test_badly_named_stage_directory_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="named like '01-link'"):
        load_stage(make_stage(tmp_path, "link"))


def test_discover_sorts_by_number_and_skips_non_stages(tmp_path):
    make_stage(tmp_path, "10-last")
    make_stage(tmp_path, "02-second")
    make_stage(tmp_path, "01-first")
    (tmp_path / "03-no-spec-yet").mkdir()
    make_stage(tmp_path, "notes")
    make_stage(tmp_path, "4-one-digit")
    make_stage(tmp_path, "05-Upper")
    (tmp_path / "06-a-file").write_text("not a directory")
    assert [s.name for s in discover(tmp_path)] == ["01-first", "02-second", "10-last"]


def test_discover_rejects_two_stages_with_one_number(tmp_path):
    make_stage(tmp_path, "01-link")
    make_stage(tmp_path, "01-other")
    with pytest.raises(SpecError, match="01-link and 01-other share the number 01"):
        discover(tmp_path)


def test_discover_reports_a_broken_stage(tmp_path):
    make_stage(tmp_path, "01-link", "[stage]\n")
    with pytest.raises(SpecError, match="title"):
        discover(tmp_path)


def test_discover_needs_an_existing_directory(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        discover(tmp_path / "missing")


def test_discover_can_keep_a_broken_stage_beside_the_good_ones(tmp_path):
    make_stage(tmp_path, "01-link")
    make_stage(tmp_path, "02-broken", '[stage]\ntitle = "T"\nmemory_mb = \n')
    make_stage(tmp_path, "03-fine")
    stages = discover(tmp_path, keep_broken=True)
    assert [(s.name, s.number) for s in stages] == [("01-link", 1), ("02-broken", 2), ("03-fine", 3)]
    good, broken, fine = stages
    assert not good.error and not fine.error and fine.scenarios
    assert broken.scenarios == ()
    # The spec's own message: the file and the line of the mistake.
    assert str(tmp_path / "02-broken" / "stage.toml") in broken.error
    assert "line 3" in broken.error


def test_a_missing_transcript_is_named_with_a_suggestion(tmp_path):
    directory = make_stage(tmp_path, "01-link", HEAD + '[run]\nexpect_end = "crash"\n'
                                                      'transcript = "expected-consol.txt"\n')
    (directory / "expected-console.txt").write_text("hi\n")
    [boot] = load_stage(directory).scenarios  # reading it is fine: `record` may be about to write it
    problem = transcript_problem(boot)
    assert "scenario 01-link names the transcript 'expected-consol.txt', which does not exist" in problem
    assert "did you mean 'expected-console.txt'?" in problem
    assert "python3 -m checker record 01-link" in problem


def test_an_existing_transcript_is_no_problem(tmp_path):
    directory = make_stage(tmp_path, "01-link")
    (directory / "expected-console.txt").write_text("hi\n")
    [boot] = load_stage(directory).scenarios
    assert transcript_problem(boot) is None


def test_a_key_set_once_is_named_with_its_line(tmp_path):
    directory = make_stage(tmp_path, "01-link", HEAD + '[run]\nexpect_end = "crash"\ntimeout_s = 0\n')
    with pytest.raises(SpecError) as caught:
        load_stage(directory)
    assert str(caught.value).startswith(f"{directory / 'stage.toml'}:5: in [run], key 'timeout_s': ")


def test_a_key_set_in_several_tables_gets_no_line_rather_than_a_wrong_one(tmp_path):
    directory = make_stage(tmp_path, "01-link", HEAD + '[run]\nexpect_end = "crash"\n'
                           '[[scenario]]\nname = "a"\n[[scenario]]\nname = "a"\n')
    with pytest.raises(SpecError) as caught:
        load_stage(directory)
    assert str(caught.value).startswith(f"{directory / 'stage.toml'}: in [[scenario]] #2, key 'name': ")
