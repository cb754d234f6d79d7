// The bit of stdio Go's C glue uses: it reports its own fatal errors with
// fprintf(stderr, "runtime/cgo: pthread_create failed: %s\n", strerror(err)) and friends.
// Everything written to any FILE goes to the console; there are no files.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include <stdarg.h>
#include <stddef.h>

#include "../console.hpp"
#include "../syscalls/names.hpp"

extern "C" {

// FILE* stderr: only ever passed back to the functions below, so any non-null value will do.
void* stderr = reinterpret_cast<void*>(2);

int vfprintf(void*, const char* fmt, va_list args) {
    kernel::console::vprintf(fmt, args);
    return 0;
}

int fprintf(void* stream, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vfprintf(stream, fmt, args);
    va_end(args);
    return n;
}

size_t fwrite(const void* data, size_t size, size_t count, void*) {
    kernel::console::write(static_cast<const char*>(data), size * count);
    return count;
}

int fputc(int c, void*) {
    char ch = static_cast<char>(c);
    kernel::console::write(&ch, 1);
    return c;
}

// The errno's name is more use to a kernel developer than glibc's sentence would be.
const char* strerror(int err) {
    const char* name = kernel::syscalls::errno_name(err);
    return name ? name : "unknown error";
}

}  // extern "C"
