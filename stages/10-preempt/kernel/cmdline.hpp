// The kernel command line (start_info.cmd_line, xl's `extra=`): space-separated key=value words.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stddef.h>

namespace kernel::cmdline {

// Copies the value of `key` into out (NUL-terminated) and returns true if the key is present.
// A bare word "key" has the value "".
bool get(const char* cmdline, const char* key, char* out, size_t out_size);

// The next space-separated word at *cursor (nullptr at the end of the line); sets *length and
// moves *cursor past it.
const char* next_word(const char** cursor, size_t* length);

}  // namespace kernel::cmdline
