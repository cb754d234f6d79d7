// C functions of the kernel that the Go program calls through cgo (go/main.go, "call C from
// Go"): cgo compiles a C call into a switch to the g0 stack and a plain C ABI call
// (runtime.cgocall / asmcgocall), so any extern "C" function of the kernel can be called.
// Book: chapter 06-hello (book/stages/06-hello.md).
#include <stddef.h>
#include <stdint.h>

#include "format.hpp"
#include "hypercall.hpp"
#include "memory/memory.hpp"
#include "preempt.hpp"
#include "scheduler.hpp"
#include "signals/deliver.hpp"

extern "C" {

// Writes "<name> on Xen <major>.<minor>" into buf; returns the length it needed.
long kernel_describe(char* buf, long size) {
    long version = kernel::hv::xen_version(XENVER_version, nullptr);
    return static_cast<long>(kernel::snformat(buf, static_cast<size_t>(size), "Unigornel stage " UNIGORNEL_STAGE " on Xen %ld.%ld",
                                              version >> 16, version & 0xffff));
}

// How many kernel threads exist right now (main, initialize_go and one per pthread).
long kernel_thread_count() { return kernel::sched::thread_count(); }

// Frames with nothing in them: how much memory the guest has left.
long kernel_free_frames() { return static_cast<long>(kernel::memory::free_frames()); }

// How often the kernel switched a thread out in the middle of Go code, and how many
// of Go's own preemption requests (SIGURG) it delivered, since boot (go/preempt.go).
long kernel_preemptions() { return static_cast<long>(kernel::preempt::counters().preemptions); }
long kernel_sigurg_delivered() { return static_cast<long>(kernel::signals::delivered_urg()); }

}  // extern "C"
