"""What a scenario's dom0 steps did, and how that appears in the transcript the checker compares.

A `dom0 = "ping ..."` step runs a tool in dom0 while the guest runs; a `send_frames` step sends
a frame corpus onto the guest's vif.  The text compared with the expected transcript is the
guest's console followed, in step order, by one block per dom0 step that was taken:

    --- dom0: ping -c 10 -i 0.2 10.99.0.2 (exit 0) ---
    PING 10.99.0.2 (10.99.0.2) 56(84) bytes of data.
    64 bytes from 10.99.0.2: icmp_seq=1 ttl=64 time=1.62 ms
    ...
    --- dom0: sent 57 frames of corpus "malformed" ---

A tool that had to be stopped says so in its header instead of an exit code, so a transcript
(recorded from a run where the tool ended by itself) never matches such a run.  The stage's
normalisation rules apply to the whole text, blocks included (ping's times vary).
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass
class Dom0Step:
    """One dom0 step as the test host carried it out."""

    kind: str                      # "dom0" (a tool) or "frames"
    argv: tuple[str, ...] = ()     # the tool and its arguments as stage.toml wrote them
    corpus: str = ""               # for "frames"
    frame_names: tuple[str, ...] = ()  # what each frame of the corpus is, for a failure message
    output: bytes = b""            # everything the tool printed (stdout and stderr together)
    rc: int | None = None          # its exit code (128 + signal if a signal ended it)
    # How it ended: "exit" (by itself), "timeout" (stopped after its timeout_s), "guest-ended"
    # (still running when the guest ended), "output-limit" (stopped by the agent after 1 MiB),
    # "refused" (dom0 could not start it, see `problem`), or "sent" for frames.
    how: str = ""
    problem: str = ""              # the agent's words when it refused the step
    timeout_s: float = 0.0
    sent: int = 0                  # frames the kernel took
    total: int = 0                 # frames in the corpus
    failed_index: int | None = None  # the first frame the kernel refused, and why
    failed_why: str = ""
    started_s: float = 0.0         # since the checker sent RUN
    ended_s: float | None = None

    @property
    def command(self) -> str:
        return shlex.join(self.argv)

    @property
    def trouble(self) -> str:
        """A sentence for the verdict when the step did not end by itself, else ""."""
        if self.kind == "frames":
            if self.how == "refused":
                return f'dom0 could not send the frames of corpus "{self.corpus}": {self.problem}'
            return ""
        what = f"dom0's `{self.command}`"
        return {
            "exit": "",
            "timeout": f"{what} did not end within {self.timeout_s:g} s and was stopped "
                       "(did the guest stop answering?)",
            "guest-ended": f"the guest ended while {what} was still running",
            "output-limit": f"{what} printed more than 1 MiB and was stopped",
            "refused": f"dom0 could not run `{self.command}`: {self.problem}",
            "": f"{what} never reported its end",
        }.get(self.how, f"{what} ended oddly ({self.how})")

    def header(self) -> str:
        if self.kind == "frames":
            if self.how == "refused":
                return f'--- dom0: could not send corpus "{self.corpus}": {self.problem} ---'
            counted = f"{self.sent}" if self.sent == self.total else f"{self.sent} of {self.total}"
            line = f'--- dom0: sent {counted} frames of corpus "{self.corpus}"'
            if self.failed_index is not None:
                name = (self.frame_names[self.failed_index]
                        if self.failed_index < len(self.frame_names) else "?")
                line += f' (frame {self.failed_index} "{name}" refused: {self.failed_why})'
            return line + " ---"
        end = {
            "exit": f"exit {self.rc}",
            "timeout": f"stopped after {self.timeout_s:g} s, exit {self.rc}",
            "guest-ended": f"stopped when the guest ended, exit {self.rc}",
            "output-limit": "stopped after 1 MiB of output",
            "refused": f"did not start: {self.problem}",
        }.get(self.how, "no end reported")
        return f"--- dom0: {self.command} ({end}) ---"

    def block(self) -> bytes:
        """The step's part of the transcript: its header line, then what the tool printed."""
        text = (self.header() + "\n").encode()
        if self.output:
            text += self.output if self.output.endswith(b"\n") else self.output + b"\n"
        return text


def transcript(console: bytes, steps: list[Dom0Step]) -> bytes:
    """The guest's console followed by each dom0 step's block, before normalisation."""
    if not steps:
        return console
    text = console if console.endswith(b"\n") or not console else console + b"\n"
    return text + b"".join(step.block() for step in steps)
