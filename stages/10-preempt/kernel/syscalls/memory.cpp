// mmap, munmap, madvise: the Go heap's system calls; mprotect: a program's (syscall.Mprotect).
// With cgo every Go heap mapping arrives through the C library's mmap (x_cgo_mmap), which
// comes here too (libc/syscall_wrappers.cpp).
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "../memory/memory.hpp"
#include "table.hpp"

namespace kernel::syscalls {

namespace {
long noted(long result) {
    set_note(memory::address_space().note());
    return result;
}
}  // namespace

long sys_mmap(const Args& c) {
    return noted(memory::address_space().mmap(c.a[0], c.a[1], static_cast<uint32_t>(c.a[2]), static_cast<uint32_t>(c.a[3]),
                                              static_cast<int64_t>(static_cast<int>(c.a[4])), c.a[5]));
}

long sys_munmap(const Args& c) { return noted(memory::address_space().munmap(c.a[0], c.a[1])); }

long sys_madvise(const Args& c) {
    return noted(memory::address_space().madvise(c.a[0], c.a[1], static_cast<int>(c.a[2])));
}

long sys_mprotect(const Args& c) {
    return noted(memory::address_space().mprotect(c.a[0], c.a[1], static_cast<uint32_t>(c.a[2])));
}

}  // namespace kernel::syscalls
