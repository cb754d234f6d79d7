// The system-call table: every Linux x86-64 call Go 1.19's runtime, syscall and os packages can
// issue on linux/amd64, one row each, sorted by number (numbers from Linux's
// arch/x86/entry/syscalls/syscall_64.tbl; a unit test checks both the order and the numbers).
// This stage's handlers, by what they are for: ending the program (exit, exit_group:
// process.cpp); Go's memory (mmap, munmap, madvise: memory.cpp); threads and time (futex, the
// clocks, sleeping, yielding, the thread id, the CPU mask: futex.cpp, time.cpp, sched.cpp);
// signals (actions, masks, the alternate stack, kill/tkill/tgkill: signals.cpp); files (the
// console, pipes, epoll: files.cpp).
// Every other call is logged and answered with -ENOSYS.
// Columns: number, name, argument kinds (table.hpp), log flags, handler; the comment above each row
// says what Go uses the call for (the book's "What Go needs from the operating system" is built from it).
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "table.hpp"

#include <stddef.h>

namespace kernel::syscalls {
namespace {

constexpr Info kTable[] = {
    // os.File.Read and stdin; the runtime reads hpage_pmd_size and drains the netpoller's wake-up pipe
    {0,   "read",              "dpu",    kQuiet,          sys_read},
    // fmt and os.Stdout/Stderr; the runtime's print, panic and fatal-error output
    {1,   "write",             "dbu",    kQuiet,          sys_write},
    // the old open(2); Go 1.19 opens files with openat
    {2,   "open",              "sxx",    kLogged,         nullptr},
    // os.File.Close; the runtime closes hpage_pmd_size after reading it
    {3,   "close",             "d",      kLogged,         sys_close},
    // os.File.Stat
    {5,   "fstat",             "dp",     kLogged,         nullptr},
    // syscall.Select-style waits outside the netpoller
    {7,   "poll",              "pud",    kLogged,         nullptr},
    // os.File.Seek
    {8,   "lseek",             "dxd",    kLogged,         nullptr},
    // the Go heap, stacks and runtime metadata (sysReserve, sysMap); with cgo through libc's mmap
    {9,   "mmap",              "aLPFdx", kLogged,         sys_mmap},
    // syscall.Mprotect; the runtime itself never changes protections
    {10,  "mprotect",          "axx",    kLogged,         nullptr},
    // memory the runtime gives back (sysFree); with cgo through libc's munmap
    {11,  "munmap",            "aL",     kLogged,         sys_munmap},
    // runtime.sbrk0: only 32-bit platforms place the heap after the program break
    {12,  "brk",               "a",      kLogged,         nullptr},
    // initsig installs the runtime's handler for every signal; with cgo through libc's sigaction
    {13,  "rt_sigaction",      "Sppu",   kBatch | kQuiet, sys_rt_sigaction},
    // each new thread blocks and unblocks signals (minit, newosproc)
    {14,  "rt_sigprocmask",    "dppu",   kBatch | kQuiet, sys_rt_sigprocmask},
    // the return from a signal handler (Go's sigreturn trampoline)
    {15,  "rt_sigreturn",      "",       kLogged,         nullptr},
    // terminal queries (isatty) in os and x/term
    {16,  "ioctl",             "dxx",    kLogged,         nullptr},
    // syscall.Pipe; os.Pipe and the runtime use pipe2
    {22,  "pipe",              "p",      kLogged,         nullptr},
    // runtime.osyield: spinning locks and the GC give up the CPU
    {24,  "sched_yield",       "",       kBatch | kQuiet, sys_sched_yield},
    // the scavenger returns unused heap pages (MADV_DONTNEED); huge-page hints; Go backs the
    // memory it makes a stack of at once (MADV_POPULATE_WRITE, go-patches/0007)
    {28,  "madvise",           "aLM",    kQuiet,          sys_madvise},
    // syscall.Dup
    {32,  "dup",               "d",      kLogged,         nullptr},
    // syscall.Dup2
    {33,  "dup2",              "dd",     kLogged,         nullptr},
    // runtime.usleep: sysmon's naps and spin back-off; with cgo also libc's nanosleep
    {35,  "nanosleep",         "pp",     kBatch | kQuiet, sys_nanosleep},
    // os.Getpid; signals the runtime sends to its own process
    {39,  "getpid",            "",       kQuiet,          sys_getpid},
    // the net package
    {41,  "socket",            "ddd",    kLogged,         nullptr},
    // new threads without cgo (newosproc); with cgo every thread is a pthread_create
    {56,  "clone",             "xpppx",  kLogged,         nullptr},
    // process creation (syscall.ForkExec uses clone on amd64)
    {57,  "fork",              "",       kLogged,         nullptr},
    // os/exec starts a child with vfork
    {58,  "vfork",             "",       kLogged,         nullptr},
    // syscall.Exec, and the child of os/exec
    {59,  "execve",            "spp",    kLogged,         nullptr},
    // a thread's end (exitThread); ends the calling thread, not the process
    {60,  "exit",              "d",      kLogged,         sys_exit},
    // os.Process.Wait
    {61,  "wait4",             "dpdp",   kLogged,         nullptr},
    // os.Process.Signal; after a panic the runtime raises SIGABRT with it
    {62,  "kill",              "dS",     kLogged,         sys_kill},
    // the kernel's version (internal/syscall/unix)
    {63,  "uname",             "p",      kLogged,         nullptr},
    // file status flags: os.NewFile checks for non-blocking stdio, close-on-exec
    {72,  "fcntl",             "ddx",    kLogged,         sys_fcntl},
    // os.Getwd
    {79,  "getcwd",            "pu",     kLogged,         nullptr},
    // os.Readlink, os.Executable (/proc/self/exe)
    {89,  "readlink",          "spu",    kLogged,         nullptr},
    // wall-clock time on paths without clock_gettime
    {96,  "gettimeofday",      "pp",     kQuiet,          sys_gettimeofday},
    // Go 1.19's syscall package raises the open-file limit at start-up
    {97,  "getrlimit",         "dp",     kLogged,         sys_getrlimit},
    // os.Getuid, os/user
    {102, "getuid",            "",       kLogged,         nullptr},
    // os.Getgid, os/user
    {104, "getgid",            "",       kLogged,         nullptr},
    // os.Geteuid
    {107, "geteuid",           "",       kLogged,         nullptr},
    // os.Getegid
    {108, "getegid",           "",       kLogged,         nullptr},
    // os.Getppid
    {110, "getppid",           "",       kLogged,         nullptr},
    // each thread's signal stack (minit, mstart)
    {131, "sigaltstack",       "pp",     kBatch | kQuiet, sys_sigaltstack},
    // the FS base for TLS without cgo (settls); with cgo libc's thread start sets it
    {158, "arch_prctl",        "xx",     kLogged,         nullptr},
    // each thread's id (minit), so that a signal can be aimed at one thread
    {186, "gettid",            "",       kQuiet,          sys_gettid},
    // a signal to one thread (the older form of tgkill)
    {200, "tkill",             "dS",     kLogged,         sys_tkill},
    // the old time(2)
    {201, "time",              "p",      kLogged,         nullptr},
    // every runtime lock and note: lock_futex.go sleeps and wakes threads with it
    {202, "futex",             "pdupxu", kQuiet,          sys_futex},
    // the number of CPUs at start-up (getproccount), hence GOMAXPROCS
    {204, "sched_getaffinity", "dup",    kLogged,         sys_sched_getaffinity},
    // the netpoller's fallback when epoll_create1 is missing
    {213, "epoll_create",      "d",      kLogged,         nullptr},
    // os.ReadDir
    {217, "getdents64",        "dpu",    kLogged,         nullptr},
    // thread start-up in a C library; Go does not call it with cgo
    {218, "set_tid_address",   "p",      kLogged,         nullptr},
    // nanotime and time.Now: the monotonic and the wall clock (there is no vDSO here)
    {228, "clock_gettime",     "dp",     kBatch | kQuiet, sys_clock_gettime},
    // sleeps in C code
    {230, "clock_nanosleep",   "dxpp",   kLogged,         nullptr},
    // the end of the program: os.Exit, main returning, a fatal error
    {231, "exit_group",        "d",      kLogged,         sys_exit_group},
    // syscall.EpollWait: epoll_pwait without a signal mask
    {232, "epoll_wait",        "dpdd",   kQuiet,          sys_epoll_pwait},
    // the netpoller registers file descriptors (its wake-up pipe first)
    {233, "epoll_ctl",         "dddp",   kLogged,         sys_epoll_ctl},
    // a signal to one thread: async preemption (SIGURG), forwarding a crash signal
    {234, "tgkill",            "ddS",    kLogged,         sys_tgkill},
    // os.Open; the runtime opens hpage_pmd_size at start-up
    {257, "openat",            "dsxx",   kLogged,         nullptr},
    // os.Stat and os.Lstat
    {262, "newfstatat",        "dspx",   kLogged,         nullptr},
    // the netpoller waits for I/O and the next timer (netpoll)
    {281, "epoll_pwait",       "dpddpu", kQuiet,          sys_epoll_pwait},
    // eventfd; Go 1.19's netpoller wakes itself through a pipe instead
    {290, "eventfd2",          "ux",     kLogged,         nullptr},
    // netpollinit, run by the first timer (time.Sleep) or file the netpoller watches
    {291, "epoll_create1",     "x",      kLogged,         sys_epoll_create1},
    // netpollinit's wake-up pipe; os.Pipe
    {293, "pipe2",             "px",     kLogged,         sys_pipe2},
    // syscall.Prlimit
    {302, "prlimit64",         "ddpp",   kLogged,         nullptr},
    // crypto/rand
    {318, "getrandom",         "pux",    kLogged,         nullptr},
};

}  // namespace

const Info* info(uint64_t nr) {
    // Binary search: the table is sorted by number.
    size_t lo = 0, hi = sizeof kTable / sizeof kTable[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (kTable[mid].nr == nr) return &kTable[mid];
        if (kTable[mid].nr < nr) lo = mid + 1;
        else hi = mid;
    }
    return nullptr;
}

const Info* table_begin() { return kTable; }
const Info* table_end() { return kTable + sizeof kTable / sizeof kTable[0]; }

Handler handler(uint64_t nr) {
    const Info* in = info(nr);
    return in ? in->handler : nullptr;
}

}  // namespace kernel::syscalls
