// Names of x86 exceptions (Intel SDM vol. 3, table 6-1).  No Xen calls: runs in the host tests.
// Book: chapter 01-link (book/stages/01-link.md).
#include "format.hpp"
#include "traps.hpp"

namespace kernel::traps {
namespace {
struct Info {
    const char* name;
    const char* mnemonic;
};
constexpr Info kTraps[] = {
    {"divide error", "#DE"},          {"debug exception", "#DB"},
    {"non-maskable interrupt", "NMI"}, {"breakpoint", "#BP"},
    {"overflow", "#OF"},              {"bound range exceeded", "#BR"},
    {"invalid opcode", "#UD"},        {"device not available (FPU)", "#NM"},
    {"double fault", "#DF"},          {"coprocessor segment overrun", "#09"}  /* Intel gives it no mnemonic */,
    {"invalid TSS", "#TS"},           {"segment not present", "#NP"},
    {"stack-segment fault", "#SS"},   {"general protection fault", "#GP"},
    {"page fault", "#PF"},            {"spurious interrupt", "#15"},
    {"x87 floating-point error", "#MF"}, {"alignment check", "#AC"},
    {"machine check", "#MC"},         {"SIMD floating-point exception", "#XM"},
};
}  // namespace

const char* name(uint64_t vector) {
    return vector < sizeof kTraps / sizeof kTraps[0] ? kTraps[vector].name : "unknown trap";
}

const char* mnemonic(uint64_t vector) {
    return vector < sizeof kTraps / sizeof kTraps[0] ? kTraps[vector].mnemonic : "#??";
}

void describe_page_fault(uint64_t ec, char* buf, unsigned long size) {
    // Error-code bits: P (0) protection violation vs not present, W (1) write, RSVD (3) reserved
    // bit set in a page-table entry, I (4) instruction fetch.  U (2) is left out: a PV kernel
    // runs in ring 3, so "user mode" says nothing about who faulted.
    const char* access = (ec & 16) ? "instruction fetch from" : (ec & 2) ? "write to" : "read of";
    const char* page = (ec & 1) ? "a page that forbids it" : "a not-present page";
    snformat(buf, size, "%s %s%s", access, page, (ec & 8) ? " (reserved bit set in a page-table entry)" : "");
}

}  // namespace kernel::traps
