"""Where a hung guest was: the CTX exchange, xenctx's text, and symbols from a real ELF file.

The ELF file is built here with g++ (a freestanding program linked at 0x1000 like the stage
kernels, with a C++ function whose name must come out demangled), and nm is the independent
judge of where its functions are.  The agent is the scripted one of test_runner.py.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

from checker import vcpu_context
from checker.elfsyms import SymbolError, SymbolTable
from checker.runner import Runner
from checker.testhost.link import Message
from checker.verdict import Verdict
from test_runner import FakeHost, FakeLink, con, scenario

PROGRAM = r"""
namespace kernel::sched {
__attribute__((noinline)) void idle() { for (volatile int spin = 0;; spin = spin + 1) {} }
}
extern "C" __attribute__((noinline)) void middle() { kernel::sched::idle(); }
extern "C" void _start() { middle(); }
"""

# What xenctx printed for stage 05 hung in kernel_main (Xen 4.17, -a -C -k 0 -t -l 32), with
# the segment, control and debug registers and the code bytes left out.
REAL_XENCTX = """vcpu0:
rip: 0000000000004640
flags: 00000202 i nz
rsp: 000000000001ffd0
rax: 00000000a08338d9\trcx: 0000000000000052\trdx: 0000000000000000
rbx: 0000000000000004\trsi: 000000000001fcd4\trdi: 0000000000000004
rbp: 000000000001fff0\t r8: 0000000000000000\t r9: 000000000001fd35
r10: 0000000000000000\tr11: 000000000000000a\tr12: 0000000000000000
r13: 0000000000000000\tr14: 0000000000000000\tr15: 0000000000000000
 cs: e033\t ss: e02b\t ds: 0000\t es: 0000

cr0: 0000000080050033
cr3: 000000005ee62000

Stack:
000000000001ffd0: 0000000000000000 00000000a08338d9 0000000000000000 0000000000000000
000000000001fff0: 0000000000000000 0000000000001012

Call Trace:
                    [<0000000000004640>] <--
000000000001ffd8:   [<00000000a08338d9>]
000000000001fff8:   [<0000000000001012>]
"""


@pytest.fixture(scope="module")
def elf(tmp_path_factory) -> Path:
    if shutil.which("g++") is None or shutil.which("nm") is None:
        pytest.skip("g++ and nm (build-essential) are needed to make the test's ELF file")
    work = tmp_path_factory.mktemp("elf")
    (work / "hang.cpp").write_text(PROGRAM)
    out = work / "hang.elf"
    subprocess.run(["g++", "-O1", "-fno-omit-frame-pointer", "-ffreestanding", "-nostdlib", "-static", "-no-pie",
                    "-Wl,-Ttext=0x1000", "-Wl,--build-id=none", "-o", str(out), str(work / "hang.cpp")],
                   check=True, capture_output=True)
    return out


def nm_addresses(path: Path) -> dict[str, int]:
    out = subprocess.run(["nm", "-n", "--defined-only", "-C", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return {line.split(" ", 2)[2]: int(line.split()[0], 16) for line in out.splitlines() if " T " in line}


def stack_text(rip: int, rsp: int, rbp: int, words: list[int]) -> str:
    """xenctx's layout (registers, then a tagged stack dump of 4 words a line) for given values."""
    lines = ["vcpu0:", f"rip: {rip:016x}", "flags: 00000202 i nz", f"rsp: {rsp:016x}",
             f"rbp: {rbp:016x}\t r8: 0000000000000000\t r9: 0000000000000000", "", "Stack:"]
    for at in range(0, len(words), 4):
        lines.append(f"{rsp + 8 * at:016x}: " + " ".join(f"{w:016x}" for w in words[at:at + 4]))
    return "\n".join(lines + ["", "Call Trace:", f"  [<{rip:016x}>] <--", ""])


def hung_guest_text(elf: Path) -> str:
    """A guest stopped in kernel::sched::idle, called by middle, called by _start; frame pointers
    chain two frames on a stack that also holds a stale code address and a data word."""
    where = nm_addresses(elf)
    rsp = 0x1ffc0
    rbp_idle, rbp_middle = rsp + 0x10, rsp + 0x20
    words = [0x1234, where["_start"] + 1,                 # a data word, a stale code address
             rbp_middle, where["middle"] + 5,            # idle's frame: saved rbp, return into middle
             0, where["_start"] + 4,                     # middle's frame: the chain's end
             0, 0]
    return stack_text(where["kernel::sched::idle()"] + 4, rsp, rbp_idle, words)


class CtxLink(FakeLink):
    """The scripted agent, answering CTX too (on_ctx: its messages; none: it never answers)."""

    def __init__(self, on_ctx=(), **kw):
        super().__init__(**kw)
        self.on_ctx = list(on_ctx)

    def send(self, *words: str) -> None:
        super().send(*words)
        if words[0] == "CTX":
            self.queue += self.on_ctx


class ElfHost(FakeHost):
    """A fake host that, like the real back ends, says where a payload file is on this machine."""

    def __init__(self, link, files: dict[str, Path]):
        super().__init__(link)
        self.files = files

    def local_file(self, name: str) -> Path | None:
        return self.files.get(name)


def ctx_reply(text: str, rc: int = 0, how: str = "exit") -> Message:
    return Message("CTX", [str(rc), how, text.encode().hex()])


def hung_run(tmp_path, on_ctx, files=None, run_messages=None):
    link = CtxLink(on_run=run_messages or [con(1, "booting\n")], on_ctx=on_ctx,
                   on_kill=[Message("END", ["destroyed", "8000"])])
    runner = Runner(ElfHost(link, files or {}), tmp_path)
    return link, runner.run(scenario(tmp_path, timeout_s=0.2), "k")


# -- symbols ------------------------------------------------------------------------------------

def test_symbols_agree_with_nm_and_are_demangled(elf):
    table = SymbolTable.from_elf(elf)
    for name, address in nm_addresses(elf).items():
        assert table.lookup(address) == name
        assert table.lookup(address + 3) == f"{name}+0x3"
    assert "kernel::sched::idle()" in nm_addresses(elf)


def test_addresses_outside_the_code_have_no_name(elf):
    table = SymbolTable.from_elf(elf)
    assert table.lookup(0x10) is None
    assert table.lookup(0xa08338d9) is None
    assert not table.is_code(0x1ffc0)


def test_a_file_without_symbols_is_refused_with_a_reason(elf, tmp_path):
    stripped = tmp_path / "stripped.elf"
    subprocess.run(["strip", "--strip-all", "-o", str(stripped), str(elf)], check=True)
    with pytest.raises(SymbolError, match="no symbol table"):
        SymbolTable.from_elf(stripped)
    (tmp_path / "text.elf").write_text("not an ELF file\n")
    with pytest.raises(SymbolError, match="is not an ELF file"):
        SymbolTable.from_elf(tmp_path / "text.elf")


# -- xenctx's text ------------------------------------------------------------------------------

def test_real_xenctx_output_is_read():
    (vcpu,) = vcpu_context.parse(REAL_XENCTX)
    assert vcpu.number == 0
    assert (vcpu.registers["rip"], vcpu.registers["rsp"], vcpu.registers["rbp"]) == (0x4640, 0x1ffd0, 0x1fff0)
    assert vcpu.registers["r8"] == 0 and vcpu.registers["r11"] == 0xa
    assert "cr0" not in vcpu.registers  # control registers are not general registers
    # The tagged dump: the second line starts at its own address; the call trace is not stack.
    assert vcpu.stack == {0x1ffd0: 0, 0x1ffd8: 0xa08338d9, 0x1ffe0: 0, 0x1ffe8: 0, 0x1fff0: 0, 0x1fff8: 0x1012}


def test_an_untagged_dump_is_placed_from_rsp_up():
    text = "rip: 0000000000001000\nrsp: 0000000000002000\nStack:\n" + " ".join(["0000000000000007"] * 6) + "\n"
    (vcpu,) = vcpu_context.parse(text)
    assert sorted(vcpu.stack) == [0x2000 + 8 * i for i in range(6)]


def test_the_report_follows_the_frame_pointers_and_scans_the_stack(elf):
    lines, stopped_in = vcpu_context.describe(hung_guest_text(elf), SymbolTable.from_elf(elf))
    assert stopped_in == "kernel::sched::idle()"
    assert lines[0] == "where the guest was when it was stopped (read from dom0 with xenctx):"
    assert lines[1].startswith("  vCPU 0: rip 0x") and lines[1].endswith(
        " kernel::sched::idle()+0x4; rsp 0x1ffc0, rbp 0x1ffd0")
    chain = lines[lines.index("    called from (frame pointers: the return address above each saved rbp):") + 1:][:2]
    assert [line.split(" ", 7)[-1] for line in chain] == ["middle+0x5", "_start+0x4"]
    scan = next(i for i, line in enumerate(lines) if "a scan from rsp up" in line)
    assert "first 3 of 3" in lines[scan]
    assert lines[scan + 1].startswith("      [rsp+0x8] 0x") and lines[scan + 1].endswith(" _start+0x1")


def test_without_symbols_the_addresses_are_shown_bare():
    lines, stopped_in = vcpu_context.describe(REAL_XENCTX, None, "no ELF file here")
    assert stopped_in == ""
    assert lines[1:] == ["  (no function names: no ELF file here)", "  vCPU 0: rip 0x4640; rsp 0x1ffd0, rbp 0x1fff0"]


# -- the CTX exchange on a timeout --------------------------------------------------------------

def test_a_timeout_pauses_reads_the_context_and_then_destroys(elf, tmp_path):
    link, outcome = hung_run(tmp_path, [ctx_reply(hung_guest_text(elf))], {"k": elf})
    assert [words[0] for words in link.sent] == ["RUN", "CTX", "KILL"]
    assert bytes.fromhex(link.sent[1][1]).split(b"\0") == [a.encode() for a in vcpu_context.XENCTX_ARGS]
    assert outcome.verdict is Verdict.TIMEOUT
    assert outcome.summary.endswith("; it was in kernel::sched::idle()")
    details = outcome.details.splitlines()
    assert details[0] == "where the guest was when it was stopped (read from dom0 with xenctx):"
    assert "Console:" in details and "  booting" in details  # the console tail still follows
    kept = tmp_path / "01-link" / "boot" / "xenctx.txt"
    assert kept.read_text() == hung_guest_text(elf)


def test_the_debug_elf_beside_the_kernel_is_preferred(elf, tmp_path):
    kernel = tmp_path / "kernel.elf"
    kernel.write_text("stripped of everything\n")
    shutil.copy(elf, tmp_path / "kernel.debug.elf")
    _, outcome = hung_run(tmp_path, [ctx_reply(hung_guest_text(elf))], {"k": kernel})
    assert outcome.summary.endswith("; it was in kernel::sched::idle()")


def test_messages_during_the_ctx_wait_are_not_lost(elf, tmp_path):
    late = [con(150, "still printing\n"), Message("XL", ["6869"]), ctx_reply(REAL_XENCTX)]
    link = CtxLink(on_run=[con(1, "booting\n")], on_ctx=late, on_kill=[Message("END", ["destroyed", "300"])])
    result = Runner(ElfHost(link, {}), tmp_path).execute(scenario(tmp_path, timeout_s=0.2), "k")
    assert result.end == "timeout"
    assert result.console == b"booting\nstill printing\n"
    assert result.host_messages == ["hi"]
    assert result.vcpu_context == REAL_XENCTX


@pytest.mark.parametrize("on_ctx, why", [
    ([ctx_reply("/usr/lib/xen-4.17/bin/xenctx is not installed in dom0", 127, "refused")],
     "/usr/lib/xen-4.17/bin/xenctx is not installed in dom0"),
    ([], "dom0 did not answer CTX within 5 s"),
    ([ctx_reply("", 0, "killed")], "xenctx took longer than 4 s and was stopped"),
    ([ctx_reply("xc_vcpu_getcontext: Invalid argument\n", 1)],
     "xenctx failed with exit code 1: xc_vcpu_getcontext: Invalid argument"),
    ([Message("ERR", ["unknown command: CTX".encode().hex()])],
     "the test host's agent has no CTX command (an image built before it)"),
    ([Message("CTX", ["zero", "exit"])], "where the guest was could not be read: ValueError: "),
])
def test_when_the_context_cannot_be_read_it_is_still_a_timeout(tmp_path, on_ctx, why):
    link, outcome = hung_run(tmp_path, on_ctx)
    assert outcome.verdict is Verdict.TIMEOUT
    assert link.sent[-1] == ("KILL",)
    first = outcome.details.splitlines()[0]
    assert first.startswith("where the guest was could not be read: ") and why in first
    assert outcome.details.splitlines()[2:] == ["Console:", "  booting"]


def test_unreadable_symbols_still_show_the_registers(tmp_path):
    bad = tmp_path / "kernel.elf"
    bad.write_text("not an ELF file\n")
    _, outcome = hung_run(tmp_path, [ctx_reply(REAL_XENCTX)], {"k": bad})
    assert outcome.verdict is Verdict.TIMEOUT
    assert "  (no function names: cannot read the symbols of " in outcome.details
    assert "  vCPU 0: rip 0x4640; rsp 0x1ffd0, rbp 0x1fff0" in outcome.details


# -- a guest stopped inside a hypercall ---------------------------------------------------------
# The layout of stage 07's kernel as it waited for a name that was never typed (a real TIMEOUT:
# rip hypercall_page+0x3aa, called from pick_next, block_until and sys_futex).
from checker.elfsyms import Symbol  # noqa: E402

IDLE_SYMBOLS = SymbolTable([Symbol(0x2000, 0x1000, "hypercall_page", False),
                            Symbol(0x5880, 0x100, "kernel::sched::(anonymous namespace)::pick_next()", True),
                            Symbol(0x5990, 0x80, "kernel::sched::block_until(char const*, unsigned long)", True),
                            Symbol(0xa4e0, 0x200, "kernel::syscalls::sys_futex(kernel::syscalls::Args const&)", True),
                            Symbol(0x4600, 0x80, "kernel_main", True)],
                           [(0x1000, 0x20000)])


def test_a_guest_stopped_in_sched_op_from_the_scheduler_was_idle():
    phrase = vcpu_context.stopped_phrase(IDLE_SYMBOLS, 0x23aa, [0x5908, 0x59df, 0xa5d7])
    assert phrase == ("Xen, blocked in sched_op: idle, no thread could run, each was waiting for something "
                      "(called from kernel::sched::(anonymous namespace)::pick_next, in the system call "
                      "kernel::syscalls::sys_futex)")


def test_another_hypercall_is_named_by_its_number():
    # 18 * 32 = 0x240: console_io, the stub the kernel's console writes go through.
    assert vcpu_context.stopped_phrase(IDLE_SYMBOLS, 0x224a, [0x4620]) == \
        "Xen, inside the console_io hypercall (called from kernel_main)"


def test_outside_the_hypercall_page_the_function_is_named():
    assert vcpu_context.stopped_phrase(IDLE_SYMBOLS, 0x4640, []) == "kernel_main"


# Stage 06 with a Go loop `for { n++ }` in a function of its own, as a real TIMEOUT showed it:
# the leaf pushed no rbp, so the chain started at main.Main's caller and main.Main appeared only
# as the word at rsp.
GO_SYMBOLS = SymbolTable([Symbol(0x9bf00, 0x120, "main.Main", True),
                          Symbol(0x9c020, 0x20, "main.spinForever", True),
                          Symbol(0x9c040, 0x20, "_cgoexp_c304050b098b_Main", True)],
                         [(0x1000, 0xa0000)])


def test_a_leaf_without_a_frame_gets_its_caller_from_the_word_at_rsp():
    rsp = 0xc000042db0
    words = [0x9bf85,                      # [rsp]: return into main.Main
             0, 0, 0,
             rsp + 0x60, 0x9c057]          # main.Main's frame: saved rbp, return into the cgo export
    words += [0] * 8
    lines, stopped_in = vcpu_context.describe(stack_text(0x9c020, rsp, rsp + 0x20, words), GO_SYMBOLS)
    assert stopped_in == "main.spinForever"
    assert ("    called from 0x9bf85 main.Main+0x85 (the return address at rsp: the function at rip keeps "
            "no frame of its own)") in lines
    chain = lines.index("    called from (frame pointers: the return address above each saved rbp):")
    assert lines[chain + 1] == "      0x9c057 _cgoexp_c304050b098b_Main+0x17"


def test_a_hypercall_stub_gets_no_frameless_caller():
    words = [0x5908, 0, 0, 0]
    lines, _ = vcpu_context.describe(stack_text(0x23aa, 0x1ff00, 0x1ff10, words), IDLE_SYMBOLS)
    assert not any("keeps no frame of its own" in line for line in lines)
