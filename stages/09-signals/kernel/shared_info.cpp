// Book: chapter 01-link (book/stages/01-link.md).
#include "shared_info.hpp"

#include "console.hpp"

#include "address.hpp"
#include "hypercall.hpp"
#include "panic.hpp"

namespace kernel::shinfo {
namespace {

// A page of our own address space whose mapping we replace with the shared_info frame.
alignas(kPageSize) char g_page[kPageSize];

// Page-table entry bits (Intel SDM): present, writable, accessed, dirty.  Xen adds the user
// bit itself for a 64-bit PV kernel, which runs in ring 3.
constexpr uint64_t kPtePresent = 1, kPteWritable = 2, kPteAccessed = 0x20, kPteDirty = 0x40;

}  // namespace

void init(const start_info& si) {
    uint64_t pte = si.shared_info | kPtePresent | kPteWritable | kPteAccessed | kPteDirty;
    long rc = hv::update_va_mapping(reinterpret_cast<uint64_t>(g_page), pte, UVMF_INVLPG);
    if (rc != 0) panic("cannot map shared_info (HYPERVISOR_update_va_mapping returned %ld)", rc);
    console::printf("shared_info mapped\n");
}

struct shared_info& get() { return *reinterpret_cast<struct shared_info*>(g_page); }

vcpu_info& vcpu0() { return get().vcpu_info[0]; }

}  // namespace kernel::shinfo
