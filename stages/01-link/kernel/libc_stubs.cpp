// The C library functions Go's c-archive calls, as named stubs.
//
// `go build -buildmode=c-archive` leaves the runtime's C glue (runtime/cgo) calling into libc:
// threads, mutexes, malloc, mmap, signals, stdio (book/stages/01-link.md lists all 30 symbols).
// This kernel has no C library, so each symbol is defined here and, when reached, says who
// called it.
// Book: chapter 01-link (book/stages/01-link.md).
#include <stdint.h>

#include "console.hpp"
#include "ksyms.hpp"
#include "panic.hpp"

namespace {

void print_caller(const char* function, void* return_address) {
    auto caller = kernel::ksyms::lookup(kernel::ksyms::kernel_table(), reinterpret_cast<uint64_t>(return_address));
    if (caller.name) kernel::console::printf("[libc] %s called from %s+0x%lx", function, caller.name, caller.offset);
    else kernel::console::printf("[libc] %s called from vaddr 0x%lx", function, reinterpret_cast<uint64_t>(return_address));
}

[[noreturn]] void unimplemented(const char* function, void* return_address) {
    print_caller(function, return_address);
    kernel::console::printf("\n");
    kernel::panic("unimplemented libc function %s\n"
                  "    Go's c-archive needs it, and this stage only has a stub for it.",
                  function);
}

}  // namespace

#define UNIMPLEMENTED(name) \
    extern "C" void name() { unimplemented(#name, __builtin_return_address(0)); }

extern "C" {

// FILE* stderr: runtime/cgo prints its own fatal errors with fprintf(stderr, ...).
void* stderr = nullptr;

// With a single thread a mutex can never be held by someone else, so locking succeeds.
int pthread_mutex_lock(void*) {
    print_caller("pthread_mutex_lock", __builtin_return_address(0));
    kernel::console::printf(": returns 0 (there is only one thread, so the lock is free)\n");
    return 0;
}

int pthread_mutex_unlock(void*) {
    print_caller("pthread_mutex_unlock", __builtin_return_address(0));
    kernel::console::printf(": returns 0\n");
    return 0;
}

// Waiting on a condition variable with one thread can only end if something else signals it.
// In this stage the only waiter is cgo's _cgo_wait_runtime_init_done, and the only signaller
// would be the Go runtime's initialisation, which nothing has started.
int pthread_cond_wait(void*, void*) {
    // lab 01-link begin: pthread_cond_wait
    print_caller("pthread_cond_wait", __builtin_return_address(0));
    kernel::console::printf("\n");
    kernel::panic(
        "deadlock: pthread_cond_wait would wait forever\n"
        "    Main() is cgo's C wrapper for the exported Go function.  Before it may enter Go it\n"
        "    waits in _cgo_wait_runtime_init_done until the Go runtime has initialised.  Nothing\n"
        "    started the runtime: its initialiser, _rt0_amd64_linux_lib, sits in the archive's\n"
        "    .init_array, which this kernel never runs, and no other thread exists to signal.\n"
        "    hint: stage 02-rt0 runs .init_array and routes the runtime's system calls here.");
    // lab 01-link end
}

}  // extern "C"

UNIMPLEMENTED(pthread_create)
UNIMPLEMENTED(pthread_detach)
UNIMPLEMENTED(pthread_attr_init)
UNIMPLEMENTED(pthread_attr_getstacksize)
UNIMPLEMENTED(pthread_attr_destroy)
UNIMPLEMENTED(pthread_sigmask)
UNIMPLEMENTED(pthread_cond_broadcast)
UNIMPLEMENTED(nanosleep)
UNIMPLEMENTED(malloc)
UNIMPLEMENTED(free)
UNIMPLEMENTED(mmap)
UNIMPLEMENTED(munmap)
UNIMPLEMENTED(sigaction)
UNIMPLEMENTED(sigemptyset)
UNIMPLEMENTED(sigaddset)
UNIMPLEMENTED(sigismember)
UNIMPLEMENTED(sigfillset)
UNIMPLEMENTED(setenv)
UNIMPLEMENTED(unsetenv)
UNIMPLEMENTED(fprintf)
UNIMPLEMENTED(vfprintf)
UNIMPLEMENTED(fwrite)
UNIMPLEMENTED(fputc)
UNIMPLEMENTED(strerror)
UNIMPLEMENTED(abort)
UNIMPLEMENTED(__errno_location)
