// printf-style formatting without a C library: the kernel's only way to say anything.
//
// Supported: %s %c %d %i %u %x %X %p %%, the length modifiers l, ll and z, a width, '0'
// padding and '-' left alignment.  %p prints 0x and 16 hex digits.  Unknown conversions are
// printed as they stand, so a typo shows up on the console instead of eating arguments.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace kernel {

// Where formatted text goes: called with pieces of the output, in order.
using Sink = void (*)(void* context, const char* text, size_t length);

size_t vformat(Sink sink, void* context, const char* fmt, va_list args);
size_t format(Sink sink, void* context, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Formats into buf (always NUL-terminated when size > 0); returns the length it would need.
size_t snformat(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
size_t vsnformat(char* buf, size_t size, const char* fmt, va_list args);

}  // namespace kernel
