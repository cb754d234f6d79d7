"""checker/xen_log.py: Xen's own account of a guest it crashed, in a student's words."""
from checker.elfsyms import Symbol, SymbolTable
from checker.xen_log import explain, guest_lines

# The shape of Xen 4.17's serial console when a PV guest's boot stack overflows (the frame of the
# page fault cannot be written; x86_64/entry.S, create_bounce_frame), dom0's lines mixed in.
OVERFLOW = """\
[   12.345678] xenbr0: port 1(vif3.0) entered disabled state
(XEN) domain_crash_sync called from entry.S: fault at ffff82d04038c8e4 x86_64/entry.S#create_bounce_frame+0x167/0x177
(XEN) Domain 3 (vcpu#0) crashed on cpu#0:
(XEN) ----[ Xen-4.17.3-pre  x86_64  debug=n  Not tainted ]----
(XEN) CPU:    0
(XEN) RIP:    e033:[<0000000000104ef2>]
(XEN) RFLAGS: 0000000000010206   EM: 0   CONTEXT: pv guest (d3v0)
(XEN) rax: 0000000000000000   rbx: 0000000000000000   rcx: 0000000000000000
(XEN) rbp: 000000000014d000   rsp: 000000000013eff8   r8:  0000000000000000
""".splitlines()

SYMBOLS = SymbolTable([Symbol(0x104ec0, 0x40, "recurse(unsigned long)", True)], [(0x1000, 0x200000)],
                      {"boot_stack_guard": 0x13e000})


def test_only_xens_lines_are_kept_without_their_prefix():
    lines = guest_lines(OVERFLOW)
    assert lines[0].startswith("domain_crash_sync called from entry.S")
    assert all("xenbr0" not in line for line in lines)
    assert len(lines) == 8


def test_a_stack_pointer_in_a_guard_page_is_a_stack_overflow():
    account = explain(guest_lines(OVERFLOW), SYMBOLS)
    assert account.phrase == "the stack overflowed into boot_stack_guard"
    text = "\n".join(account.details)
    assert "The stack pointer 0x13eff8 is in boot_stack_guard" in text
    assert "The guest was executing 0x104ef2 (recurse(unsigned long)+0x32)" in text
    assert "  (XEN) Domain 3 (vcpu#0) crashed on cpu#0:" in account.details


def test_without_symbols_the_stack_pointer_is_still_reported():
    account = explain(guest_lines(OVERFLOW))
    assert account.phrase == "Xen could not deliver a fault: the kernel's stack pointer points at unusable memory"
    assert any("The stack pointer was 0x13eff8" in line for line in account.details)
    assert any("The guest was executing 0x104ef2 (Xen's register dump)." == line for line in account.details)


def test_no_handler_address_is_said_as_such():
    lines = ["domain_crash_sync called from entry.S: fault at ffff82d04038c900 "
             "x86_64/entry.S#create_bounce_frame_bad_bounce_ip+0x0/0x10",
             "Domain 4 (vcpu#0) crashed on cpu#1:"]
    account = explain(lines)
    assert account.phrase == "Xen had an event or exception to deliver but the kernel gave it no handler address"
    assert "HYPERVISOR_set_callbacks" in account.details[0]


# As Xen 4.17.7 printed it here (tests/integration: stage 05 recursing before its trap table and
# guard page were set up): no handler for the page fault, the stack pointer wrapped below 0.
WRAPPED = """\
(XEN) d1v0 Unhandled: vec 14, #PF[0002]
(XEN) Pagetable walk from fffffffffffffee8:
(XEN)  L4[0x1ff] = 0000000000000000 ffffffffffffffff
(XEN) domain_crash_sync called from entry.S: fault at ffff82d0403602d0 x86_64/entry.S#domain_crash_page_fault_6x8+0/0x4
(XEN) Domain 1 (vcpu#0) crashed on cpu#1:
(XEN) RIP:    e033:[<000000000000460b>]
(XEN) rbp: 00000000000000e8   rsp: fffffffffffffee8   r8:  0000000000000000
(XEN) Guest stack trace from rsp=fffffffffffffee8:
(XEN)   Fault while accessing guest memory.
""".splitlines()


def test_a_fault_before_the_trap_table_with_a_wrapped_stack():
    account = explain(guest_lines(WRAPPED))
    assert account.phrase == "the stack pointer ran below address 0: a stack overflow"
    text = "\n".join(account.details)
    assert "took a page fault (vector 14) and had no handler registered for it yet" in text
    assert "The stack pointer 0xfffffffffffffee8 has run below address 0" in text


def test_a_fault_before_the_trap_table_on_a_good_stack_says_just_that():
    account = explain(guest_lines(WRAPPED[:1] + WRAPPED[3:6]))
    assert account.phrase == "a page fault came before the kernel had installed its trap table"


def test_a_quiet_log_gives_nothing_and_unknown_lines_are_shown_as_they_are():
    assert explain([]).phrase == "" and explain([]).details == []
    account = explain(["d5v0 something Xen says"])
    assert account.phrase == ""
    assert account.details == ["Xen's log during this run:", "  (XEN) d5v0 something Xen says"]


# A kernel from stage 04 on: thread stacks come from the heap above the image (_image_end).
THREAD_SYMBOLS = SymbolTable([Symbol(0x104ec0, 0x40, "recurse(unsigned long)", True),
                              Symbol(0x108000, 0x80, "kernel::allocate_stack(unsigned long, kernel::GuardedStack*)", True)],
                             [(0x1000, 0x200000)], {"boot_stack_guard": 0x13e000}, image_end=0x180000)


def test_a_stack_pointer_in_the_heap_is_a_thread_stack_overflow():
    lines = [line.replace("rsp: 000000000013eff8", "rsp: 0000000000412ff8") for line in guest_lines(OVERFLOW)]
    account = explain(lines, THREAD_SYMBOLS)
    assert account.phrase == "a thread's kernel stack most likely overflowed into its guard page"
    text = "\n".join(account.details)
    assert "The stack pointer 0x412ff8 is above the kernel image (it ends at 0x180000)" in text
    assert "kernel_stack.cpp" in text


def test_a_stack_pointer_in_the_heap_array_of_stages_02_and_03_is_a_thread_stack_overflow():
    # Stages 02 and 03 keep their heap in the image's .bss (g_arena), thread stacks guarded in it.
    in_image = SymbolTable(THREAD_SYMBOLS.symbols, [(0x1000, 0x200000)], {"boot_stack_guard": 0x13e000},
                           image_end=0x58e000, heap_in_image=(0x14c000, 0x54c000))
    lines = [line.replace("rsp: 000000000013eff8", "rsp: 0000000000412ff8") for line in guest_lines(OVERFLOW)]
    account = explain(lines, in_image)
    assert account.phrase == "a thread's kernel stack most likely overflowed into its guard page"
    assert any("The stack pointer 0x412ff8 is in the kernel heap (the array g_arena inside the image, "
               "0x14c000-0x54c000)" in line for line in account.details)


def test_the_heap_is_not_named_in_a_kernel_without_guarded_thread_stacks():
    # A kernel whose thread stacks have no guard page (no kernel::allocate_stack).
    plain = SymbolTable(THREAD_SYMBOLS.symbols[:1], [(0x1000, 0x200000)], {}, image_end=0x180000)
    lines = [line.replace("rsp: 000000000013eff8", "rsp: 0000000000412ff8") for line in guest_lines(OVERFLOW)]
    account = explain(lines, plain)
    assert account.phrase == "Xen could not deliver a fault: the kernel's stack pointer points at unusable memory"
    assert any("The stack pointer was 0x412ff8" in line for line in account.details)


def test_the_boot_stack_guard_is_still_named_first():
    account = explain(guest_lines(OVERFLOW), THREAD_SYMBOLS)
    assert account.phrase == "the stack overflowed into boot_stack_guard"


def test_a_stack_pointer_in_mmap_memory_is_the_fault_xen_cannot_deliver():
    # selftest=stackfault (stages 04 on), measured: mmap placed the two pages just below
    # 0x7f0000000000; Xen's log had rsp 0x7efffffff000 (two pushes done) and cr2 0x7effffffeff8
    # (the third one's word, on the page without a frame).
    demand = SymbolTable(THREAD_SYMBOLS.symbols + [
        Symbol(0x10c000, 0x200, "kernel::memory::AddressSpace::handle_fault(unsigned long, bool, bool)", True)],
        [(0x1000, 0x200000)], {"boot_stack_guard": 0x13e000}, image_end=0x180000)
    lines = [line.replace("rsp: 000000000013eff8", "rsp: 00007efffffff000") for line in guest_lines(OVERFLOW)]
    account = explain(lines, demand)
    assert account.phrase == "a stack in memory from mmap reached a page with no frame yet: a fault Xen cannot deliver"
    assert any("The stack pointer 0x7efffffff000 is in memory from mmap" in line and "MADV_POPULATE_WRITE" in line
               for line in account.details)
    # The same address in a kernel without demand paging (stages 01-03) is only reported.
    assert explain(lines, THREAD_SYMBOLS).phrase.startswith("Xen could not deliver a fault")
