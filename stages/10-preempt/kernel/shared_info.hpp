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

// Sets vCPU 0's event mask (per thread, and unmasked once preemption is on).
// Unmasking takes at once the events that arrived while masked: any hypercall returns
// through Xen's check for pending events (Mini-OS: force_evtchn_callback).
void set_event_mask(uint8_t mask);

}  // namespace kernel::shinfo
