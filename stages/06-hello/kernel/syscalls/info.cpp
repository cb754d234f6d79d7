#include "info.hpp"

#include <stddef.h>

namespace kernel::syscalls {
namespace {

// Numbers from Linux's arch/x86/entry/syscalls/syscall_64.tbl; the set is what Go 1.19's
// runtime, syscall and os packages can issue on linux/amd64, sorted by number.
// Columns: number, name, argument kinds, batch, quiet.
constexpr Info kInfo[] = {
    {0, "read", "dpu", false, true},
    {1, "write", "dbu", false, true},
    {2, "open", "sxx", false, false},
    {3, "close", "d", false, false},
    {5, "fstat", "dp", false, false},
    {7, "poll", "pud", false, false},
    {8, "lseek", "dxd", false, false},
    {9, "mmap", "aLPFdx", false, false},
    {10, "mprotect", "axx", false, false},
    {11, "munmap", "aL", false, false},
    {12, "brk", "a", false, false},
    {13, "rt_sigaction", "Sppu", true, true},
    {14, "rt_sigprocmask", "dppu", true, true},
    {15, "rt_sigreturn", "", false, false},
    {16, "ioctl", "dxx", false, false},
    {22, "pipe", "p", false, false},
    {24, "sched_yield", "", true, true},
    {28, "madvise", "aLM", false, true},
    {32, "dup", "d", false, false},
    {33, "dup2", "dd", false, false},
    {35, "nanosleep", "pp", true, true},
    {39, "getpid", "", false, true},
    {41, "socket", "ddd", false, false},
    {56, "clone", "xpppx", false, false},
    {57, "fork", "", false, false},
    {58, "vfork", "", false, false},
    {59, "execve", "spp", false, false},
    {60, "exit", "d", false, false},
    {61, "wait4", "dpdp", false, false},
    {62, "kill", "dS", false, false},
    {63, "uname", "p", false, false},
    {72, "fcntl", "ddx", false, false},
    {79, "getcwd", "pu", false, false},
    {89, "readlink", "spu", false, false},
    {96, "gettimeofday", "pp", false, true},
    {97, "getrlimit", "dp", false, false},
    {102, "getuid", "", false, false},
    {104, "getgid", "", false, false},
    {107, "geteuid", "", false, false},
    {108, "getegid", "", false, false},
    {110, "getppid", "", false, false},
    {131, "sigaltstack", "pp", true, true},
    {158, "arch_prctl", "xx", false, false},
    {186, "gettid", "", false, true},
    {200, "tkill", "dS", false, false},
    {201, "time", "p", false, false},
    {202, "futex", "pdupxu", false, true},
    {204, "sched_getaffinity", "dup", false, false},
    {213, "epoll_create", "d", false, false},
    {217, "getdents64", "dpu", false, false},
    {218, "set_tid_address", "p", false, false},
    {228, "clock_gettime", "dp", true, true},
    {230, "clock_nanosleep", "dxpp", false, false},
    {231, "exit_group", "d", false, false},
    {232, "epoll_wait", "dpdd", false, true},
    {233, "epoll_ctl", "dddp", false, false},
    {234, "tgkill", "ddS", false, false},
    {257, "openat", "dsxx", false, false},
    {262, "newfstatat", "dspx", false, false},
    {281, "epoll_pwait", "dpddpu", false, true},
    {290, "eventfd2", "ux", false, false},
    {291, "epoll_create1", "x", false, false},
    {293, "pipe2", "px", false, false},
    {302, "prlimit64", "ddpp", false, false},
    {318, "getrandom", "pux", false, false},
};

struct Name {
    long value;
    const char* name;
};

constexpr Name kErrno[] = {
    {1, "EPERM"},   {2, "ENOENT"},  {3, "ESRCH"},   {4, "EINTR"},   {5, "EIO"},
    {9, "EBADF"},   {10, "ECHILD"}, {11, "EAGAIN"}, {12, "ENOMEM"}, {13, "EACCES"},
    {14, "EFAULT"}, {16, "EBUSY"},  {17, "EEXIST"}, {22, "EINVAL"}, {24, "EMFILE"},
    {25, "ENOTTY"}, {28, "ENOSPC"}, {29, "ESPIPE"}, {32, "EPIPE"},  {34, "ERANGE"},
    {38, "ENOSYS"}, {110, "ETIMEDOUT"},
};

constexpr const char* kSignals[32] = {
    nullptr,   "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",  "SIGSYS",
};

constexpr const char* kRealtime[33] = {
    "SIGRT0",  "SIGRT1",  "SIGRT2",  "SIGRT3",  "SIGRT4",  "SIGRT5",  "SIGRT6",  "SIGRT7",
    "SIGRT8",  "SIGRT9",  "SIGRT10", "SIGRT11", "SIGRT12", "SIGRT13", "SIGRT14", "SIGRT15",
    "SIGRT16", "SIGRT17", "SIGRT18", "SIGRT19", "SIGRT20", "SIGRT21", "SIGRT22", "SIGRT23",
    "SIGRT24", "SIGRT25", "SIGRT26", "SIGRT27", "SIGRT28", "SIGRT29", "SIGRT30", "SIGRT31",
    "SIGRT32",
};

}  // namespace

const Info* info(uint64_t nr) {
    // Binary search: the table is sorted by number (a unit test checks that).
    size_t lo = 0, hi = sizeof kInfo / sizeof kInfo[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (kInfo[mid].nr == nr) return &kInfo[mid];
        if (kInfo[mid].nr < nr) lo = mid + 1;
        else hi = mid;
    }
    return nullptr;
}

const char* errno_name(long err) {
    for (const Name& n : kErrno)
        if (n.value == err) return n.name;
    return nullptr;
}

const char* signal_name(uint64_t sig) {
    if (sig >= 1 && sig < 32) return kSignals[sig];
    if (sig >= 32 && sig <= 64) return kRealtime[sig - 32];
    return nullptr;
}

}  // namespace kernel::syscalls
