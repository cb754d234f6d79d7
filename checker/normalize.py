"""The explicit list of console differences that do not count.

Two boots of the same kernel print almost the same console. The few values that really change
from boot to boot (machine frame numbers Xen picked, timestamps, the Xen version of the lab
machine...) are printed by the kernels in a recognisable form, and each rule below replaces one
of them with a placeholder such as `<mfn>`. Everything else must match exactly.

The rules are applied to the expected transcript and to the actual console alike, so a
transcript may be recorded raw or already normalised. For that to work normalising must be
idempotent: the placeholders are chosen so that no rule matches them again.
"""
from __future__ import annotations

import functools
import re
from typing import Sequence

from .spec import Rule

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(r"\bmfn 0x[0-9a-fA-F]+\b", "mfn <mfn>",
         "Xen chooses which machine frames back the guest at every boot"),
    Rule(r"\bmaddr 0x[0-9a-fA-F]+\b", "maddr <maddr>",
         "machine addresses follow from the machine frames Xen chose"),
    Rule(r"\[\s*\d+\.\d{6}\]", "[<time>]",
         "timestamps like [   12.345678] depend on when the guest ran"),
    Rule(r"\btook \d+ (?:ns|us|ms)\b", "took <duration>",
         "measured durations ('took 42 us') vary with the host's load"),
    Rule(r"\bXen \d+\.\d+(?:\.\d+)?[^\s,)]*", "Xen <version>",
         "lab machines may run different Xen releases (Xen 4.17.3, Xen 4.17.7-pre, ...)"),
    Rule(r"\bdomid \d+\b", "domid <domid>",
         "Xen gives each new domain the next free domain id"),
    Rule(r"\bevtchn \d+\b", "evtchn <port>",
         "event channel port numbers depend on what the toolstack allocated first"),
    Rule(r"\b\d+ kHz\b", "<freq> kHz",
         "the TSC/CPU frequency is the host's, not the kernel's"),
)

# Done in code before the regex rules, because the rules rely on "\n" line ends.
TEXT_STEPS: tuple[str, ...] = (
    "NUL bytes are dropped (the console may carry padding)",
    "\"\\r\\n\" and a lone \"\\r\" become \"\\n\" (serial consoles send \\r\\n)",
    "spaces and tabs at the end of a line are removed (invisible in a transcript)",
    "the text ends with exactly one \"\\n\" (blank lines at the very end do not count)",
)

_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.MULTILINE)


def _clean_lines(text: str) -> str:
    text = text.replace("\0", "").replace("\r\n", "\n").replace("\r", "\n")
    return _TRAILING_BLANKS.sub("", text)


def normalize(text: str | bytes, extra: Sequence[Rule] = ()) -> str:
    """Returns `text` with every documented boot-to-boot difference replaced by a placeholder.

    `extra` are a stage's own rules from stage.toml; they run after the default ones.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = _clean_lines(text)
    for rule in (*DEFAULT_RULES, *extra):
        text = _compiled(rule.pattern).sub(rule.replace, text)
    # A rule may have left blanks at a line end; clean again so a second pass changes nothing.
    text = _clean_lines(text).rstrip("\n")
    return text + "\n" if text else ""


def describe_rules(extra: Sequence[Rule] = ()) -> str:
    """A readable list of every normalisation step, for the docs and `checker rules`."""
    lines = ["Before comparing, the console and the expected transcript are both normalised:", ""]
    lines += [f"  - {step}" for step in TEXT_STEPS]
    lines += ["", "Then these substitutions are applied, in order:", ""]

    def add(rules: Sequence[Rule], first: int) -> None:
        for number, rule in enumerate(rules, start=first):
            lines.append(f"  {number}. {rule.pattern}  ->  {rule.replace}")
            if rule.why:
                lines.append(f"     why: {rule.why}")

    add(DEFAULT_RULES, 1)
    if extra:
        lines += ["", "This stage adds:", ""]
        add(extra, len(DEFAULT_RULES) + 1)
    return "\n".join(lines) + "\n"
