// Book: chapter 01-link (book/stages/01-link.md).
#include "cmdline.hpp"

namespace kernel::cmdline {

const char* next_word(const char** cursor, size_t* length) {
    const char* p = *cursor;
    while (*p == ' ') ++p;
    const char* word = p;
    while (*p && *p != ' ') ++p;
    *cursor = p;
    *length = static_cast<size_t>(p - word);
    return *length ? word : nullptr;
}

bool get(const char* line, const char* key, char* out, size_t out_size) {
    const char* cursor = line;
    size_t length;
    while (const char* word = next_word(&cursor, &length)) {
        const char* p = word + length;
        const char* k = key;
        const char* w = word;
        while (*k && w < p && *w == *k) { ++w; ++k; }
        if (*k == '\0' && (w == p || *w == '=')) {
            if (w < p) ++w;  // skip '='
            size_t n = 0;
            while (w < p && n + 1 < out_size) out[n++] = *w++;
            if (out_size > 0) out[n] = '\0';
            return true;
        }
    }
    return false;
}

}  // namespace kernel::cmdline
