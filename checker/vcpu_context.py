"""Where a hung guest was: its vCPUs' registers and stack, read by xenctx, told in symbols.

On a TIMEOUT the runner asks the agent (CTX) to pause the domain and run Xen's xenctx on it in
dom0, before the domain is destroyed.  xenctx prints each vCPU's registers and a dump of the
stack from rsp up; it knows nothing of the kernel's names (the kernel's ELF file stays on the
checker's side).  This module reads that text and says, in symbols of the kernel's ELF file:

  - where the vCPU was: rip, with the function it is in;
  - the call chain, by frame pointers: the kernel is built with -fno-omit-frame-pointer, so
    [rbp] holds the caller's rbp and [rbp+8] the return address into the caller.  The chain is
    followed only through the stack words xenctx printed, and stops at the first link that
    does not make sense (a return address outside the code, a frame pointer that does not
    move up the stack);
  - the first code addresses among the stack words, from rsp up: return addresses, mostly,
    but a stale word is possible too, so this list is labelled as a scan, not as the chain.

The text xenctx prints (tools/misc/xenctx.c, Xen 4.17) is read leniently: registers as
"rip: 0000000000001e4a", a "vcpuN" line before each vCPU with -C, the stack after "Stack:",
one line per 32 bytes, each line tagged with its address with -t.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .elfsyms import SymbolTable

# What the runner asks xenctx for.  -k 0: the stage kernels are linked from 0x1000, far below
# xenctx's default user/kernel split (0xffffffff80000000), and xenctx dumps the stack only when
# rsp is above that split.  -C: every vCPU.  -a: all registers (segment and control registers
# too, for xenctx.txt).  -t: each stack line starts with its address.  -l 32: 32 lines of
# 32 bytes, 1 KiB of stack: enough for a dozen frames, and quick on the serial line.
XENCTX_ARGS = ("-a", "-C", "-k", "0", "-t", "-l", "32")
SHOWN_STACK_WORDS = 8  # code addresses of the stack scan shown in the report
MAX_FRAMES = 16        # links of the frame-pointer chain followed at most

_REGISTER = re.compile(r"\b(r[a-z0-9]{1,2}):\s*([0-9a-f]{8,16})\b")
_VCPU = re.compile(r"^\s*vcpu\s*(\d+)", re.IGNORECASE)
_TAGGED = re.compile(r"^\s*([0-9a-f]{8,16}):\s*(.*)$")
_WORD = re.compile(r"\b[0-9a-f]{16}\b")


@dataclass
class VcpuState:
    number: int
    registers: dict[str, int] = field(default_factory=dict)
    stack: dict[int, int] = field(default_factory=dict)  # address -> 8-byte word, as dumped

    def stack_words(self) -> list[tuple[int, int]]:
        return sorted(self.stack.items())


def parse(text: str) -> list[VcpuState]:
    """Every vCPU xenctx printed; without "vcpuN" lines, the whole text is vCPU 0."""
    vcpus: list[VcpuState] = []
    current: VcpuState | None = None
    in_stack = False
    untagged = 0  # stack words seen without an address tag, placed from rsp up
    for line in text.splitlines():
        if match := _VCPU.match(line):
            current = VcpuState(int(match.group(1)))
            vcpus.append(current)
            in_stack = False
            continue
        if current is None:
            current = VcpuState(0)
            vcpus.append(current)
        if line.strip().startswith("Stack:"):
            in_stack, untagged = True, 0
            continue
        if in_stack:
            if not line.strip() or "Trace" in line:
                in_stack = False  # the stack dump ends at xenctx's (unsymbolised) call trace
                continue
            tag = _TAGGED.match(line)
            words = [int(w, 16) for w in _WORD.findall(tag.group(2) if tag else line)]
            if tag:
                base = int(tag.group(1), 16)
            else:
                base = current.registers.get("rsp", 0) + 8 * untagged
                untagged += len(words)
            for i, word in enumerate(words):
                current.stack[base + 8 * i] = word
            continue
        for name, value in _REGISTER.findall(line):
            current.registers.setdefault(name, int(value, 16))
    return [v for v in vcpus if v.registers]


def frame_chain(vcpu: VcpuState, symbols: SymbolTable) -> list[int]:
    """Return addresses found by following rbp through the dumped stack, innermost first."""
    chain: list[int] = []
    fp = vcpu.registers.get("rbp")
    while fp is not None and len(chain) < MAX_FRAMES:
        saved, ret = vcpu.stack.get(fp), vcpu.stack.get(fp + 8)
        if saved is None or ret is None or not symbols.is_code(ret):
            break
        chain.append(ret)
        if saved <= fp:
            break  # frames live further up the stack; anything else is the chain's end or junk
        fp = saved
    return chain


def frameless_caller(vcpu: VcpuState, symbols: SymbolTable, chain: list[int]) -> int | None:
    """The return address at rsp when it names a caller the frame-pointer chain does not start
    with (a leaf function that pushed no rbp), else None."""
    rsp, rip = vcpu.registers.get("rsp"), vcpu.registers.get("rip")
    word = vcpu.stack.get(rsp) if rsp is not None else None
    if word is None or not symbols.is_code(word) or (chain and chain[0] == word):
        return None
    at_rip = _symbol(symbols, rip or 0)
    if at_rip == "hypercall_page":
        return None  # a hypercall stub: the chain starts at the function that called it
    return None if _symbol(symbols, word) == at_rip else word


def _symbol(symbols: SymbolTable, address: int) -> str:
    """The symbol an address is in, without the offset ("" outside the code)."""
    return (symbols.lookup(address) or "").split("+")[0]


def _named(address: int, symbols: SymbolTable) -> str:
    name = symbols.lookup(address)
    return f"{address:#x} {name}" if name else f"{address:#x} (not in the kernel's code)"


# Xen's hypercall page holds one 32-byte stub per hypercall, in number order
# (xen/include/public/xen.h: __HYPERVISOR_*), so rip's offset in it says which call the guest
# was inside when it was stopped.
_HYPERCALLS = {1: "mmu_update", 5: "fpu_taskswitch", 6: "sched_op_compat", 13: "multicall", 14: "update_va_mapping",
               17: "xen_version", 18: "console_io", 20: "grant_table_op", 24: "vcpu_op",
               25: "set_segment_base", 29: "sched_op", 32: "event_channel_op"}
HYPERCALL_STUB = 32


def _function(name: str) -> str:
    """'kernel::sched::block_until(char const*, unsigned long)+0x4f' -> 'kernel::sched::block_until'."""
    name = name.split("+")[0]
    if not name.endswith(")"):
        return name
    depth = 0
    for at in range(len(name) - 1, -1, -1):  # the parameter list is the last balanced (...)
        depth += {")": 1, "(": -1}.get(name[at], 0)
        if depth == 0:
            return name[:at]
    return name


def stopped_phrase(symbols: SymbolTable, rip: int, chain: list[int]) -> str:
    """What the summary says the guest was doing: the function at rip, or, when rip is in the
    hypercall page, which hypercall and who made it (a kernel waits for events in Xen's sched_op
    when no thread can run, so a guest stopped there was idle, not spinning)."""
    name = symbols.lookup(rip) or ""
    function, _, offset = name.partition("+")
    if function != "hypercall_page":
        return function
    number = int(offset or "0", 16) // HYPERCALL_STUB
    call = _HYPERCALLS.get(number, f"hypercall {number}")
    callers = [_function(n) for n in (symbols.lookup(a) for a in chain) if n]
    syscall = next((c for c in callers if c.startswith("kernel::syscalls::sys_")), None)
    if call == "sched_op" and any("block" in c or "idle" in c or "pick_next" in c for c in callers):
        said = "Xen, blocked in sched_op: idle, no thread could run, each was waiting for something"
    else:
        said = f"Xen, inside the {call} hypercall"
    if callers:
        said += f" (called from {callers[0]}" + (f", in the system call {syscall}" if syscall else "") + ")"
    return said


def describe(text: str, symbols: SymbolTable | None, why_no_symbols: str = "") -> tuple[list[str], str]:
    """The report's lines about where the guest was, and the function of vCPU 0's rip ("" if
    unknown).  symbols None: the addresses are shown bare, with why_no_symbols said once."""
    vcpus = parse(text)
    if not vcpus:
        return ["where the guest was could not be told: xenctx printed no registers "
                "(its output is in xenctx.txt)"], ""
    lines = ["where the guest was when it was stopped (read from dom0 with xenctx):"]
    if symbols is None:
        lines.append(f"  (no function names: {why_no_symbols})")
    stopped_in = ""
    for vcpu in vcpus:
        regs = vcpu.registers
        rip, rsp, rbp = regs.get("rip"), regs.get("rsp"), regs.get("rbp")
        where = "?" if rip is None else (_named(rip, symbols) if symbols else f"{rip:#x}")
        more = ", ".join(f"{n} {v:#x}" for n, v in (("rsp", rsp), ("rbp", rbp)) if v is not None)
        lines.append(f"  vCPU {vcpu.number}: rip {where}" + (f"; {more}" if more else ""))
        if symbols is None:
            continue
        chain = frame_chain(vcpu, symbols)
        leaf_caller = frameless_caller(vcpu, symbols, chain)
        if rip is not None and not stopped_in:
            stopped_in = stopped_phrase(symbols, rip, ([leaf_caller] if leaf_caller else []) + chain)
        if leaf_caller is not None:
            # Go (and optimised C++) gives a leaf function no frame of its own: rbp is still the
            # caller's, so the chain below starts one call up; the word at rsp is the return
            # address into the caller the chain misses.
            lines.append(f"    called from {_named(leaf_caller, symbols)} (the return address at rsp: "
                         "the function at rip keeps no frame of its own)")
        if chain:
            lines.append("    called from (frame pointers: the return address above each saved rbp):")
            lines += [f"      {_named(address, symbols)}" for address in chain]
        elif rbp is not None:
            lines.append(f"    the frame-pointer chain could not be followed: rbp {rbp:#x} is outside the "
                         f"{8 * len(vcpu.stack)} bytes of stack read, or [rbp+8] is not a code address")
        code = [(at, word) for at, word in vcpu.stack_words() if symbols.is_code(word)]
        if code:
            shown = code[:SHOWN_STACK_WORDS]
            lines.append(f"    code addresses on the stack (a scan from rsp up, first {len(shown)} "
                         f"of {len(code)}; stale words are possible):")
            for at, word in shown:
                offset = f"rsp+{at - rsp:#x}" if rsp is not None and at >= rsp else f"{at:#x}"
                lines.append(f"      [{offset}] {_named(word, symbols)}")
        elif vcpu.stack:
            lines.append(f"    no code addresses in the {8 * len(vcpu.stack)} bytes of stack read")
        else:
            lines.append("    xenctx printed no stack words")
    return lines, stopped_in
