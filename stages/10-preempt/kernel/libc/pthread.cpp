// pthread_create and its attributes: the only way Go's C glue makes threads.
//
// With cgo, the runtime asks for every thread through _cgo_thread_start -> pthread_create
// (runtime/cgo/gcc_linux_amd64.c), and learns the stack size it got from
// pthread_attr_getstacksize on a fresh attribute: the g0 stack bounds of every M follow from
// it.  So the default stack size here is the size of every thread's stack.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include <stddef.h>
#include <stdint.h>

#include "../console.hpp"
#include "../ksyms.hpp"
#include "../scheduler.hpp"
#include "../syscalls/errno.hpp"
#include "../syscalls/table.hpp"

namespace {

// A thread's stack is its g0 stack for Go (runtime/cgo/gcc_linux_amd64.c reads the size with
// pthread_attr_getstacksize); Go itself gives the threads it starts without cgo 16 KiB
// (runtime/proc.go, newm -> malg(16384)), and a g0 that outgrows its stack is Go's own clear
// "morestack on g0" fatal error.  64 KiB leaves room for the kernel's fault frames on top.
constexpr size_t kDefaultStackSize = 64 * 1024;

// Our layout inside glibc's 56-byte pthread_attr_t: only the stack size is kept.
struct Attr {
    size_t stack_size;
    uint64_t magic;
};
constexpr uint64_t kAttrMagic = 0x6174747270746872;  // "rhtpttra"

}  // namespace

extern "C" {

int pthread_attr_init(void* attr) {
    auto* a = static_cast<Attr*>(attr);
    a->stack_size = kDefaultStackSize;
    a->magic = kAttrMagic;
    return 0;
}

int pthread_attr_getstacksize(const void* attr, size_t* size) {
    *size = static_cast<const Attr*>(attr)->stack_size;
    return 0;
}

int pthread_attr_destroy(void* attr) {
    static_cast<Attr*>(attr)->magic = 0;
    return 0;
}

int pthread_create(uint64_t* thread, const void* attr, void* (*entry)(void*), void* arg) {
    size_t stack_size = kDefaultStackSize;
    if (attr && static_cast<const Attr*>(attr)->magic == kAttrMagic) stack_size = static_cast<const Attr*>(attr)->stack_size;
    // Name the thread after the function it runs: "_rt0_amd64_lib_go" (the runtime's
    // initialisation), "threadentry" (runtime/cgo's start of every other M).
    auto sym = kernel::ksyms::lookup(kernel::ksyms::kernel_table(), reinterpret_cast<uint64_t>(entry));
    const char* name = sym.name && sym.offset == 0 ? sym.name : "pthread";
    kernel::Thread* t = kernel::sched::create(name, entry, arg, stack_size);
    if (!t) {
        kernel::console::printf("[libc] pthread_create(%s): no memory for a %lu KiB stack -> EAGAIN\n", name,
                                stack_size / 1024);
        return static_cast<int>(kernel::syscalls::kEAGAIN);
    }
    // With the system-call log only: Go starts threads at moments that depend on when time
    // slices end.
    if (kernel::syscalls::logging_calls())
        kernel::console::printf("[libc] pthread_create: thread %d \"%s\", %lu KiB stack\n", t->id, t->name,
                                stack_size / 1024);
    *thread = static_cast<uint64_t>(t->id);
    return 0;
}

// Threads free their stacks when they exit (scheduler.cpp); nobody ever joins them.
int pthread_detach(uint64_t) { return 0; }

}  // extern "C"
