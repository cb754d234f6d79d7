// errno is per thread: Go's C glue reads it right after a failed call (x_cgo_sigaction,
// x_cgo_mmap), and another thread may have failed a call in between.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "../scheduler.hpp"

extern "C" int* __errno_location() { return &kernel::sched::current()->errno_value; }
