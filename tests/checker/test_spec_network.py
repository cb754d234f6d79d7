"""stage.toml's network keys: `vif`, and the `dom0` and `send_frames` steps (with timeout_s)."""
from pathlib import Path
from textwrap import dedent

import pytest

from checker import network
from checker.errors import SpecError
from checker.spec import DEFAULT_DOM0_TIMEOUT_S, load_stage

HEAD = """
[stage]
title = "Ping"
[run]
expect_end = "shutdown"
vif = true
"""


def stage_with(tmp_path: Path, body: str, head: str = HEAD):
    directory = tmp_path / "08-ping"
    directory.mkdir(parents=True)
    (directory / "stage.toml").write_text(dedent(head) + dedent(body), encoding="utf-8")
    return load_stage(directory)


@pytest.fixture(autouse=True)
def a_corpus(monkeypatch):
    """A stand-in for checker/frame_corpus.py: these tests are about stage.toml, not frames."""
    monkeypatch.setattr(network, "corpora", lambda: {"malformed": lambda *addresses: []})


def test_vif_defaults_to_false_and_a_scenario_may_set_it(tmp_path):
    stage = stage_with(tmp_path, """
        [[scenario]]
        name = "plain"
        vif = false
        [[scenario]]
        name = "net"
        """)
    assert [sc.vif for sc in stage.scenarios] == [False, True]
    plain = stage_with(tmp_path / "x", "", head=HEAD.replace("vif = true\n", ""))
    assert plain.scenarios[0].vif is False


def test_a_dom0_step_is_split_like_a_shell_and_gets_the_default_timeout(tmp_path):
    stage = stage_with(tmp_path, """
        [[input]]
        after = "net: ready, ping me"
        dom0 = "ping -c 10 -i 0.2 10.99.0.2"
        [[input]]
        after = "net: ready"
        dom0 = "arping -c 3 -I xenbr0 '10.99.0.2'"
        timeout_s = 20
        """)
    first, second = stage.scenarios[0].inputs
    assert (first.kind, first.dom0, first.timeout_s) == (
        "dom0", ("ping", "-c", "10", "-i", "0.2", "10.99.0.2"), DEFAULT_DOM0_TIMEOUT_S)
    assert (second.dom0[-1], second.timeout_s) == ("10.99.0.2", 20.0)


def test_a_send_frames_step_names_a_corpus(tmp_path):
    stage = stage_with(tmp_path, """
        [[input]]
        after = "ready"
        send_frames = "malformed"
        """)
    [step] = stage.scenarios[0].inputs
    assert (step.kind, step.send_frames) == ("frames", "malformed")


def test_console_steps_are_still_send_steps(tmp_path):
    stage = stage_with(tmp_path, """
        [[input]]
        after = "ready"
        send = "quit\\r"
        """)
    assert stage.scenarios[0].inputs[0].kind == "send"


@pytest.mark.parametrize("body, key, problem", [
    ('after = "x"\ndom0 = "ping 10.99.0.2"\nsend = "q"\n', "send", "exactly one of"),
    ('after = "x"\ndom0 = "ping 10.99.0.2"\nsend_frames = "malformed"\n', "dom0", "it has dom0 and send_frames"),
    ('after = "x"\ndom0 = "sh -c reboot"\n', "dom0", "may only run ping or arping"),
    ('after = "x"\ndom0 = "/bin/ping 10.99.0.2"\n', "dom0", "by name, without a path"),
    ('after = "x"\ndom0 = "ping \'10.99"\n', "dom0", "cannot be split into words"),
    ('after = "x"\ndom0 = "   "\n', "dom0", "must name a tool"),
    ('after = "x"\ndom0 = 5\n', "dom0", "must be text"),
    ('after = "x"\ndom0 = "ping 10.99.0.2"\ntimeout_s = 0\n', "timeout_s", "positive number of seconds"),
    ('after = "x"\ndom0 = "ping 10.99.0.2"\ntimeout_s = 601\n', "timeout_s", "at most 600 seconds"),
    ('after = "x"\nsend = "q"\ntimeout_s = 5\n', "timeout_s", "belongs to a 'dom0' step only"),
    ('after = "x"\nsend_frames = "nosuch"\n', "send_frames", "known: malformed"),
    ('after = "x"\ndom0 = "ping 10.99.0.2"\ntimeot_s = 5\n', "timeot_s", "did you mean 'timeout_s'?"),
    ('dom0 = "ping 10.99.0.2"\n', "after", "every step needs 'after'"),
])
def test_bad_steps_are_spec_errors_naming_the_key(tmp_path, body, key, problem):
    with pytest.raises(SpecError) as caught:
        stage_with(tmp_path, "[[input]]\n" + body)
    message = str(caught.value)
    assert "stage.toml" in message and "[[input]] #1" in message
    assert f"'{key}'" in message
    assert problem in message


def test_a_network_step_needs_the_vif(tmp_path):
    with pytest.raises(SpecError, match=r"\[\[scenario\]\] 'ping'.*key 'vif': must be true for a scenario "
                                        r"with a 'dom0' step"):
        stage_with(tmp_path, """
            [[scenario]]
            name = "ping"
            vif = false
            [[scenario.input]]
            after = "ready"
            dom0 = "ping -c 1 10.99.0.2"
            """)


def test_vif_must_be_true_or_false(tmp_path):
    with pytest.raises(SpecError, match="key 'vif': must be true or false"):
        stage_with(tmp_path, "", head=HEAD.replace("vif = true", 'vif = "yes"'))
