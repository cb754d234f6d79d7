// sched_yield, gettid, getpid, sched_getaffinity: the answers for one process on one vCPU.
// Book: chapter 05-futex (book/stages/05-futex.md).
#include "../scheduler.hpp"
#include "errno.hpp"
#include "table.hpp"

namespace kernel::syscalls {

long sys_sched_yield(const Args&) {
    sched::yield();
    return 0;
}

// Go uses the thread id to name Ms in tracebacks and for tgkill; the kernel's thread id does.
long sys_gettid(const Args&) { return sched::current()->id; }

long sys_getpid(const Args&) { return 1; }

// One vCPU: CPU 0 only.  Go sizes GOMAXPROCS from this mask (runtime.getproccount); the call
// returns the number of bytes of mask written, like the Linux system call.
long sys_sched_getaffinity(const Args& c) {
    uint64_t size = c.a[1];
    auto* mask = reinterpret_cast<uint8_t*>(c.a[2]);
    if (size < 8 || !mask) return -kEINVAL;
    for (uint64_t i = 0; i < 8; ++i) mask[i] = 0;
    mask[0] = 1;
    return 8;
}

}  // namespace kernel::syscalls
