// C library functions Go's c-archive links but this kernel does not provide.  Each is a
// named stub: reaching it stops the domain and says who called it.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "../panic.hpp"
#include "caller.hpp"

namespace {

[[noreturn]] void unimplemented(const char* function, void* return_address) {
    kernel::console::printf("[libc] %s ", function);
    kernel::libc::print_caller(return_address);
    kernel::console::printf("\n");
    kernel::panic("unimplemented libc function %s\n"
                  "    Go's c-archive needs it, and this stage only has a stub for it.",
                  function);
}

}  // namespace

#define UNIMPLEMENTED(name) \
    extern "C" void name() { unimplemented(#name, __builtin_return_address(0)); }

// os.Setenv/Unsetenv with cgo (runtime/cgo/setenv.go); no environment can change here.
UNIMPLEMENTED(setenv)
UNIMPLEMENTED(unsetenv)

// abort(): runtime/cgo's last resort after printing why (e.g. "pthread_create failed").
extern "C" [[noreturn]] void abort() {
    kernel::console::printf("[libc] abort() ");
    kernel::libc::print_caller(__builtin_return_address(0));
    kernel::console::printf("\n");
    kernel::panic("abort() called: Go's C glue gave up (its reason is printed above)");
}
