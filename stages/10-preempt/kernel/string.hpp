// The C string and memory functions string.cpp defines (for the compiler and Go's C parts), for
// the kernel's own code too.  On the host, the host tests link the C library's.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stddef.h>

extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int strcmp(const char* a, const char* b);
size_t strlen(const char* s);
}
