// This stage's handlers: the two ways out of a program (stage 02), the memory calls (stage 04),
// and threads and time (stage 05): futex, the clocks, sleeping, yielding, the thread id, the
// CPU mask and the signal calls.  Everything else is logged and answered with -ENOSYS.
#include "table.hpp"

namespace kernel::syscalls {

Handler handler(uint64_t nr) {
    switch (nr) {
        case 9: return sys_mmap;
        case 11: return sys_munmap;
        case 13: return sys_rt_sigaction;
        case 14: return sys_rt_sigprocmask;
        case 24: return sys_sched_yield;
        case 28: return sys_madvise;
        case 35: return sys_nanosleep;
        case 39: return sys_getpid;
        case 60: return sys_exit;
        case 96: return sys_gettimeofday;
        case 131: return sys_sigaltstack;
        case 186: return sys_gettid;
        case 202: return sys_futex;
        case 204: return sys_sched_getaffinity;
        case 228: return sys_clock_gettime;
        case 231: return sys_exit_group;
        default: return nullptr;
    }
}

}  // namespace kernel::syscalls
