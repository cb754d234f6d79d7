#include "cmdline.hpp"

namespace kernel::cmdline {

bool get(const char* line, const char* key, char* out, size_t out_size) {
    const char* p = line;
    while (*p) {
        while (*p == ' ') ++p;
        const char* word = p;
        while (*p && *p != ' ') ++p;
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
