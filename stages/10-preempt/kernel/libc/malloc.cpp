// malloc and free for Go's C glue: thread-start records (runtime/cgo gcc_libinit.c) and the
// pthread_attr_t of x_cgo_init.  They come from the kernel heap.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include <stddef.h>

#include "../heap.hpp"
#include "../panic.hpp"
#include "caller.hpp"

extern "C" void* malloc(size_t size) { return kernel::heap::kernel().allocate(size); }

extern "C" void free(void* p) {
    if (!kernel::heap::kernel().free(p)) {
        kernel::console::printf("[libc] free(vaddr 0x%lx) ", reinterpret_cast<unsigned long>(p));
        kernel::libc::print_caller(__builtin_return_address(0));
        kernel::console::printf("\n");
        kernel::panic("free() of a pointer malloc() did not return, or a double free");
    }
}
