// The C library functions that are thin wrappers around one system call in glibc: sigaction,
// pthread_sigmask, mmap, munmap, nanosleep.  Go's C glue calls them instead of making the
// system call itself (with cgo, every Go heap mapping goes through x_cgo_mmap -> mmap), so
// they go through the same table and log as Go's own calls, marked with the wrapper's name.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include <stddef.h>
#include <stdint.h>

#include "../syscalls/errno.hpp"
#include "../signals/action.hpp"
#include "../signals/frame.hpp"
#include "../syscalls/table.hpp"

extern "C" int* __errno_location();

namespace {

using kernel::syscalls::invoke;
using kernel::signals::KernelSigaction;  // what the system call takes (signals/action.hpp)
using kernel::signals::kSaRestorer;

// Linux's convention for a libc wrapper: -1 and errno on failure.
long to_libc(long result) {
    if (result < 0 && result > -4096) {
        *__errno_location() = static_cast<int>(-result);
        return -1;
    }
    return result;
}

// glibc's struct sigaction (bits/sigaction.h): handler, a 1024-bit sa_mask, sa_flags, restorer.
struct LibcSigaction {
    uint64_t handler;
    uint64_t mask[16];
    int flags;
    uint64_t restorer;
};
static_assert(sizeof(LibcSigaction) == 152);

}  // namespace

extern "C" {

void unigornel_restore_rt();  // arch/syscall_entry.S: what a handler returns to

int sigaction(int sig, const LibcSigaction* act, LibcSigaction* oldact) {
    KernelSigaction kact{}, kold{};
    if (act) kact = KernelSigaction{act->handler, static_cast<uint64_t>(static_cast<unsigned>(act->flags)),
                                    act->restorer, act->mask[0]};
    // As glibc does (sysdeps/unix/sysv/linux/x86_64/libc_sigaction.c): the C library supplies
    // the restorer, a function that calls rt_sigreturn.  Go's x_cgo_sigaction clears
    // SA_RESTORER and counts on it (runtime/cgo/gcc_sigaction.c).
    if (act && !(kact.flags & kSaRestorer)) {
        kact.flags |= kSaRestorer;
        kact.restorer = reinterpret_cast<uint64_t>(&unigornel_restore_rt);
    }
    long r = to_libc(invoke("libc sigaction", 13, static_cast<uint64_t>(sig), act ? reinterpret_cast<uint64_t>(&kact) : 0,
                            oldact ? reinterpret_cast<uint64_t>(&kold) : 0, 8));
    if (r == 0 && oldact) {
        *oldact = LibcSigaction{};
        oldact->handler = kold.handler;
        oldact->flags = static_cast<int>(kold.flags);
        oldact->restorer = kold.restorer;
        oldact->mask[0] = kold.mask;
    }
    return static_cast<int>(r);
}

// pthread functions return the error number instead of setting errno.
int pthread_sigmask(int how, const uint64_t* set, uint64_t* oldset) {
    long r = invoke("libc pthread_sigmask", 14, static_cast<uint64_t>(how), reinterpret_cast<uint64_t>(set),
                    reinterpret_cast<uint64_t>(oldset), 8);
    return r < 0 ? static_cast<int>(-r) : 0;
}

void* mmap(void* addr, size_t length, int prot, int flags, int fd, long offset) {
    long r = to_libc(invoke("libc mmap", 9, reinterpret_cast<uint64_t>(addr), length, static_cast<uint64_t>(prot),
                            static_cast<uint64_t>(flags), static_cast<uint64_t>(fd), static_cast<uint64_t>(offset)));
    return reinterpret_cast<void*>(r);  // -1 is MAP_FAILED
}

int munmap(void* addr, size_t length) {
    return static_cast<int>(to_libc(invoke("libc munmap", 11, reinterpret_cast<uint64_t>(addr), length)));
}

int nanosleep(const void* request, void* remaining) {
    return static_cast<int>(to_libc(invoke("libc nanosleep", 35, reinterpret_cast<uint64_t>(request),
                                           reinterpret_cast<uint64_t>(remaining))));
}

// The sigset_t helpers are pure bit operations on glibc's 1024-bit set.
int sigemptyset(uint64_t* set) {
    for (int i = 0; i < 16; ++i) set[i] = 0;
    return 0;
}

int sigfillset(uint64_t* set) {
    for (int i = 0; i < 16; ++i) set[i] = ~uint64_t{0};
    return 0;
}

int sigaddset(uint64_t* set, int sig) {
    if (sig < 1 || sig > 1024) return static_cast<int>(to_libc(-kernel::syscalls::kEINVAL));
    set[(sig - 1) / 64] |= uint64_t{1} << ((sig - 1) % 64);
    return 0;
}

int sigismember(const uint64_t* set, int sig) {
    if (sig < 1 || sig > 1024) return static_cast<int>(to_libc(-kernel::syscalls::kEINVAL));
    return (set[(sig - 1) / 64] >> ((sig - 1) % 64)) & 1;
}

}  // extern "C"
