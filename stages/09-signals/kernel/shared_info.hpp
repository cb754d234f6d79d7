// Xen's shared_info page: per-vCPU state (event masks, time, the page-fault address) and the
// event-channel bitmaps.  start_info gives only its machine address; we map it ourselves.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include "xen.hpp"

namespace kernel::shinfo {

// Maps the page (HYPERVISOR_update_va_mapping onto a page reserved in .bss).
void init(const start_info& si);

struct shared_info& get();
vcpu_info& vcpu0();

}  // namespace kernel::shinfo
