"""Each normalisation rule hides exactly the values it documents, and nothing else."""
import pytest

from checker.normalize import DEFAULT_RULES, describe_rules, normalize
from checker.spec import Rule

# (console line, what it must become). Lines equal on both sides are negative examples:
# text that looks similar but is not a documented boot-to-boot difference.
CASES = [
    # machine frame numbers
    ("p2m[0] = mfn 0x1a2B3c", "p2m[0] = mfn <mfn>"),
    ("mfn 1234", "mfn 1234"),
    ("pfn 0x1a2b", "pfn 0x1a2b"),
    # machine addresses
    ("start_info at maddr 0xdeadbeef000", "start_info at maddr <maddr>"),
    ("vaddr 0xffff800000000000", "vaddr 0xffff800000000000"),
    # timestamps
    ("[   12.345678] hello", "[<time>] hello"),
    ("[0.000001] hello", "[<time>] hello"),
    ("[12.34] hello", "[12.34] hello"),
    ("[ 1 ] item", "[ 1 ] item"),
    # durations
    ("memset took 812 ns", "memset took <duration>"),
    ("boot took 35 us, then took 2 ms", "boot took <duration>, then took <duration>"),
    ("sleeping 10 ms", "sleeping 10 ms"),
    ("took 3 s", "took 3 s"),
    # Xen version
    ("Running on Xen 4.17.7-pre, welcome", "Running on Xen <version>, welcome"),
    ("(Xen 4.17)", "(Xen <version>)"),
    ("Xen hypervisor detected", "Xen hypervisor detected"),
    ("Xen4.17", "Xen4.17"),
    # domain ids
    ("I am domid 7", "I am domid <domid>"),
    ("domain 7", "domain 7"),
    # event channels
    ("console evtchn 3 bound", "console evtchn <port> bound"),
    ("evtchn port three", "evtchn port three"),
    # frequencies
    ("TSC runs at 2400000 kHz", "TSC runs at <freq> kHz"),
    ("CPU at 2400 MHz", "CPU at 2400 MHz"),
]


@pytest.mark.parametrize("raw, expected", CASES)
def test_rule_examples(raw, expected):
    assert normalize(raw) == expected + "\n"


@pytest.mark.parametrize("raw", [raw for raw, _ in CASES])
def test_normalising_twice_changes_nothing(raw):
    once = normalize(raw)
    assert normalize(once) == once


def test_every_default_rule_is_explained_and_idempotent_on_a_full_boot():
    assert all(rule.why for rule in DEFAULT_RULES)
    boot = ("Xen 4.17.7 domid 3\r\n[    0.000100] mfn 0x10 maddr 0x10000\r\n"
            "evtchn 2, 2000000 kHz, took 5 us  \r\n\0")
    once = normalize(boot)
    assert once == ("Xen <version> domid <domid>\n[<time>] mfn <mfn> maddr <maddr>\n"
                    "evtchn <port>, <freq> kHz, took <duration>\n")
    assert normalize(once) == once


def test_line_endings_become_newlines():
    assert normalize("a\r\nb\rc\nd") == "a\nb\nc\nd\n"


def test_trailing_blanks_and_nul_bytes_are_dropped_but_inner_spaces_kept():
    assert normalize("a  b   \nc\t\n\0d\0") == "a  b\nc\nd\n"


def test_output_ends_with_exactly_one_newline():
    assert normalize("last line") == "last line\n"
    assert normalize("last line\n\n\n") == "last line\n"
    assert normalize("\nfirst line blank\n") == "\nfirst line blank\n"


def test_empty_and_blank_consoles_normalise_to_nothing():
    assert normalize("") == ""
    assert normalize(b"") == ""
    assert normalize("\r\n  \n\0") == ""


def test_bytes_are_decoded_as_utf8_with_replacement():
    assert normalize("caf\u00e9 ok".encode()) == "caf\u00e9 ok\n"
    assert normalize(b"bad \xff byte") == "bad \ufffd byte\n"


def test_extra_rules_run_after_the_defaults():
    # The stage rule sees the placeholder the default rule left, proving the order.
    extra = [Rule(r"mfn <mfn>", "frame", "stage hides frames entirely")]
    assert normalize("got mfn 0xabc", extra) == "got frame\n"


def test_extra_rules_use_multiline_anchors():
    extra = [Rule(r"^heap: .*$", "heap: <hidden>")]
    assert normalize("heap: 0x1000\nstack: 0x2000\nheap: 0x3000", extra) == (
        "heap: <hidden>\nstack: 0x2000\nheap: <hidden>\n")


def test_trailing_blanks_left_by_a_rule_are_removed():
    extra = [Rule(r"secret", "")]
    once = normalize("value secret", extra)
    assert once == "value\n"
    assert normalize(once, extra) == once


def test_describe_rules_lists_every_rule_with_its_reason():
    extra = (Rule(r"heap at 0x[0-9a-f]+", "heap at <addr>", "the heap moves"),)
    text = describe_rules(extra)
    for rule in (*DEFAULT_RULES, *extra):
        assert f"{rule.pattern}  ->  {rule.replace}" in text
        assert rule.why in text
    assert "This stage adds:" in text
    assert "This stage adds:" not in describe_rules()
    assert "\\r\\n" in text
