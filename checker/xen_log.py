"""What Xen itself said when a guest died without a word of its own, in a student's words.

A PV kernel can fail in ways its own fault report never sees: when Xen cannot deliver an
exception or an event to the guest (the frame it must write onto the guest's stack faults, or
there is no handler address to jump to), Xen crashes the domain itself, and the only account
is in the hypervisor's log (the test host's serial console, build/checker/host/xen-serial.log):

    (XEN) domain_crash_sync called from entry.S: fault at ffff82d04038c8e4 x86_64/entry.S#create_bounce_frame+0x167/0x177
    (XEN) Domain 3 (vcpu#0) crashed on cpu#0:
    (XEN) RIP:    e033:[<0000000000104ef2>]
    (XEN) rbp: 000000000014d000   rsp: 000000000013efc8   r8:  ...

explain() picks out those lines, the guest's rip and rsp (named with the kernel's symbols, and
the stack pointer checked against the kernel's guard pages), and says what they mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .elfsyms import SymbolTable

GUARD_PAGE = 4096
_RIP = re.compile(r"\bRIP:\s+[0-9a-f]{4}:\[<([0-9a-f]+)>\]")
_RSP = re.compile(r"\brsp:\s+([0-9a-f]{16})\b")
_CRASHED = re.compile(r"\bDomain (\d+) \(vcpu#(\d+)\) crashed on cpu#(\d+)")
# Lines Xen prints for its own reasons while guests come and go, not about a guest's death.
_NOISE = ("PCI add device", "physdev_map_pirq", "grant_table", "printk: ", "Freed ")


@dataclass
class XenAccount:
    """What Xen's log says about a guest that died: a phrase for the summary, lines for details."""

    phrase: str = ""                                   # "" when the log says nothing useful
    details: list[str] = field(default_factory=list)   # the explanation, then Xen's own lines


def guest_lines(log_lines: list[str]) -> list[str]:
    """The hypervisor's messages among a stretch of its serial console, "(XEN) " removed."""
    out = []
    for line in log_lines:
        at = line.find("(XEN) ")
        if at < 0:
            continue
        text = line[at + 6:].rstrip()
        if text and not any(noise in text for noise in _NOISE):
            out.append(text)
    return out


def _where(symbols: SymbolTable | None, address: int) -> str:
    name = symbols.lookup(address) if symbols else None
    return f"{address:#x} ({name})" if name else f"{address:#x}"


def _in_guard(symbols: SymbolTable | None, rsp: int) -> str | None:
    """The guard page rsp is in (or just above: Xen writes the frame below rsp), if any."""
    if not symbols:
        return None
    for name, start in symbols.guards.items():
        if start <= rsp < start + GUARD_PAGE + 64:
            return name
    return None


# Thread and system-call stacks come from the kernel heap with a guard page below each
# (kernel_stack.cpp, stages 04 on); the heap is a run of frames in the direct map, above the
# image and within the guest's memory (a few hundred MiB at most here, 4 GiB allowed).
_HEAP_SPAN = 1 << 32


def _in_thread_stacks(symbols: SymbolTable | None, rsp: int) -> str:
    """Where in the kernel heap rsp is, in words, when thread stacks there have guard pages;
    "" when it is not there (or this kernel's thread stacks have no guards)."""
    if not symbols or not symbols.has_function("kernel::allocate_stack"):
        return ""
    if symbols.heap_in_image and symbols.heap_in_image[0] <= rsp < symbols.heap_in_image[1]:
        start, end = symbols.heap_in_image
        return f"in the kernel heap (the array g_arena inside the image, {start:#x}-{end:#x})"
    if symbols.image_end is not None and symbols.image_end <= rsp < symbols.image_end + _HEAP_SPAN:
        return f"above the kernel image (it ends at {symbols.image_end:#x}), in the kernel heap"
    return ""


def _in_mmap_memory(symbols: SymbolTable | None, rsp: int) -> bool:
    """Whether rsp is where a kernel with demand paging (stages 04 on) hands out mmap memory:
    above the image and its heap, in the lower canonical half."""
    if not symbols or symbols.image_end is None or not symbols.has_function("kernel::memory::AddressSpace::handle_fault"):
        return False
    return symbols.image_end + _HEAP_SPAN <= rsp < 1 << 47


_UNHANDLED = re.compile(r"\bd\d+v\d+ Unhandled: vec (\d+), (#[A-Z]+)")
_TRAP_WORDS = {"#PF": "page fault", "#GP": "general protection fault", "#DE": "divide error",
               "#UD": "invalid opcode", "#SS": "stack fault", "#NP": "segment not present"}


def explain(lines: list[str], symbols: SymbolTable | None = None) -> XenAccount:
    """Reads Xen's lines (from guest_lines) about one run; empty account when there are none."""
    if not lines:
        return XenAccount()
    rip = next((int(m.group(1), 16) for m in map(_RIP.search, lines) if m), None)
    rsp = next((int(m.group(1), 16) for m in map(_RSP.search, lines) if m), None)
    crashed = next((m for m in map(_CRASHED.search, lines) if m), None)
    unhandled = next((m for m in map(_UNHANDLED.search, lines) if m), None)
    sync = next((line for line in lines if "domain_crash_sync called from entry.S" in line), None)
    said: list[str] = []
    phrase = ""
    if sync is not None and "bad_bounce_ip" in sync:
        phrase = "Xen had an event or exception to deliver but the kernel gave it no handler address"
        said.append("Xen crashed the domain itself: it had an event or an exception to deliver, and the "
                    "kernel had registered no address to deliver it to (no event callback set with "
                    "HYPERVISOR_set_callbacks, or a trap-table entry of 0). Blocking (SCHEDOP_block) or "
                    "unmasking events before the callback is set ends this way.")
    elif unhandled is not None:
        what = _TRAP_WORDS.get(unhandled.group(2), f"exception {unhandled.group(2)}")
        phrase = f"a {what} came before the kernel had installed its trap table"
        said.append(f"Xen crashed the domain itself: the guest took a {what} (vector {unhandled.group(1)}) "
                    "and had no handler registered for it yet (HYPERVISOR_set_trap_table had not run), "
                    "so nothing of the kernel's could report it.")
    elif sync is not None:
        phrase = "Xen could not deliver a fault: the kernel's stack pointer points at unusable memory"
        said.append("Xen crashed the domain itself: to deliver an exception it writes a frame onto the "
                    "stack the kernel is running on (a PV kernel has no stack switch), and that write "
                    "faulted, so no handler of the kernel could run and no report was printed.")
    elif crashed is not None:
        phrase = "Xen crashed the domain (its log says why below)"
        said.append("Xen crashed the domain itself; the kernel printed no report of its own.")
    if rsp is not None and (sync is not None or unhandled is not None):
        guard = _in_guard(symbols, rsp)
        if guard is not None:
            phrase = f"the stack overflowed into {guard}"
            said.append(f"The stack pointer {rsp:#x} is in {guard}, the unmapped page kept below that "
                        "stack on purpose: the stack overflowed. Unbounded recursion, or a large local "
                        "array, is the usual cause.")
        elif heap := _in_thread_stacks(symbols, rsp):
            phrase = "a thread's kernel stack most likely overflowed into its guard page"
            said.append(f"The stack pointer {rsp:#x} is {heap}, where every thread's stack and system-call "
                        "stack lives with an unmapped guard page below it (kernel_stack.cpp): most likely a "
                        "thread's stack overflowed "
                        "into its guard page. Unbounded recursion, or a large local array, in code that runs on a "
                        "thread (a system call's handler, a thread's entry function, Go's g0 stack) is the usual cause.")
        elif _in_mmap_memory(symbols, rsp):
            phrase = ("a stack in memory from mmap reached a page with no frame yet: a fault Xen cannot "
                      "deliver")
            said.append(f"The stack pointer {rsp:#x} is in memory from mmap (above the kernel's image and heap), "
                        "where a page gets its frame when it is first touched. A page fault on such a page "
                        "while it is the stack cannot be handled: Xen writes the exception frame below rsp, "
                        "on the missing page, before any kernel code runs. Memory that becomes a stack must "
                        "have its frames first (MADV_POPULATE_WRITE); book chapter 04-mmap, \"A fault Xen "
                        "cannot deliver\".")
        elif rsp >= 1 << 63:
            phrase = "the stack pointer ran below address 0: a stack overflow"
            said.append(f"The stack pointer {rsp:#x} has run below address 0: the stack overflowed and "
                        "went on down through everything below it (unbounded recursion, or a large local "
                        "array?).")
        else:
            said.append(f"The stack pointer was {rsp:#x}: a stack that overflowed past its end, or an rsp "
                        "that was overwritten, are the usual causes.")
    if rip is not None:
        said.append(f"The guest was executing {_where(symbols, rip)} (Xen's register dump).")
    # Xen's own lines always follow; phrase is "" exactly when nothing above was recognised.
    return XenAccount(phrase, said + ["Xen's log during this run:"] + ["  (XEN) " + line for line in lines])
