// This stage's handlers: the two ways out of a program (stage 02), the memory calls (stage 04),
// threads and time (stage 05): futex, the clocks, sleeping, yielding, the thread id, the
// CPU mask and the signal calls, and files (stage 06): the console, pipes, epoll.  Everything
// else is logged and answered with -ENOSYS.
#include "table.hpp"

namespace kernel::syscalls {

Handler handler(uint64_t nr) {
    switch (nr) {
        case 0: return sys_read;
        case 1: return sys_write;
        case 3: return sys_close;
        case 9: return sys_mmap;
        case 11: return sys_munmap;
        case 13: return sys_rt_sigaction;
        case 14: return sys_rt_sigprocmask;
        case 24: return sys_sched_yield;
        case 28: return sys_madvise;
        case 35: return sys_nanosleep;
        case 39: return sys_getpid;
        case 60: return sys_exit;
        case 62: return sys_kill;
        case 72: return sys_fcntl;
        case 97: return sys_getrlimit;
        case 96: return sys_gettimeofday;
        case 131: return sys_sigaltstack;
        case 186: return sys_gettid;
        case 200: return sys_tkill;
        case 202: return sys_futex;
        case 204: return sys_sched_getaffinity;
        case 228: return sys_clock_gettime;
        case 232: return sys_epoll_pwait;  // epoll_wait: the same without a signal mask
        case 233: return sys_epoll_ctl;
        case 234: return sys_tgkill;
        case 281: return sys_epoll_pwait;
        case 291: return sys_epoll_create1;
        case 293: return sys_pipe2;
        case 231: return sys_exit_group;
        default: return nullptr;
    }
}

}  // namespace kernel::syscalls
