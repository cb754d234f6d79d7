// Book: chapter 01-link (book/stages/01-link.md).
#include "format.hpp"

#include <stdint.h>

namespace kernel {
namespace {

struct Spec {
    unsigned width = 0;
    bool zero_pad = false;
    bool left = false;
};

size_t emit_padded(Sink sink, void* ctx, const char* text, size_t len, const Spec& spec, size_t prefix_len = 0) {
    // prefix_len leading characters (a sign or "0x") stay in front of zero padding.
    size_t pad = spec.width > len ? spec.width - len : 0;
    if (spec.left) {
        sink(ctx, text, len);
        for (size_t i = 0; i < pad; ++i) sink(ctx, " ", 1);
    } else if (spec.zero_pad) {
        sink(ctx, text, prefix_len);
        for (size_t i = 0; i < pad; ++i) sink(ctx, "0", 1);
        sink(ctx, text + prefix_len, len - prefix_len);
    } else {
        for (size_t i = 0; i < pad; ++i) sink(ctx, " ", 1);
        sink(ctx, text, len);
    }
    return len + pad;
}

// Writes the digits of v in the given base to the end of buf; returns the first digit.
char* to_digits(uint64_t v, unsigned base, bool upper, char* end) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char* p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v != 0);
    return p;
}

}  // namespace

size_t vformat(Sink sink, void* ctx, const char* fmt, va_list args) {
    size_t total = 0;
    while (*fmt) {
        if (*fmt != '%') {
            const char* start = fmt;
            while (*fmt && *fmt != '%') ++fmt;
            sink(ctx, start, static_cast<size_t>(fmt - start));
            total += static_cast<size_t>(fmt - start);
            continue;
        }
        const char* conv_start = fmt++;
        Spec spec;
        for (;; ++fmt) {
            if (*fmt == '0') spec.zero_pad = true;
            else if (*fmt == '-') spec.left = true;
            else break;
        }
        while (*fmt >= '0' && *fmt <= '9') spec.width = spec.width * 10 + static_cast<unsigned>(*fmt++ - '0');
        int longs = 0;
        bool size_t_mod = false;
        while (*fmt == 'l') { ++longs; ++fmt; }
        if (*fmt == 'z') { size_t_mod = true; ++fmt; }

        char buf[24];
        char* end = buf + sizeof buf;
        switch (char c = *fmt) {
            case 's': {
                const char* s = va_arg(args, const char*);
                if (!s) s = "(null)";
                size_t len = 0;
                while (s[len]) ++len;
                total += emit_padded(sink, ctx, s, len, Spec{spec.width, false, spec.left});
                break;
            }
            case 'c': {
                char ch = static_cast<char>(va_arg(args, int));
                total += emit_padded(sink, ctx, &ch, 1, Spec{spec.width, false, spec.left});
                break;
            }
            case 'd':
            case 'i': {
                int64_t v = longs || size_t_mod ? va_arg(args, int64_t) : va_arg(args, int);
                uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
                char* p = to_digits(mag, 10, false, end);
                if (v < 0) *--p = '-';
                total += emit_padded(sink, ctx, p, static_cast<size_t>(end - p), spec, v < 0 ? 1 : 0);
                break;
            }
            case 'u':
            case 'x':
            case 'X': {
                uint64_t v = longs || size_t_mod ? va_arg(args, uint64_t) : va_arg(args, unsigned);
                char* p = to_digits(v, c == 'u' ? 10 : 16, c == 'X', end);
                total += emit_padded(sink, ctx, p, static_cast<size_t>(end - p), spec);
                break;
            }
            case 'p': {
                uint64_t v = reinterpret_cast<uint64_t>(va_arg(args, void*));
                char* p = to_digits(v, 16, false, end);
                while (end - p < 16) *--p = '0';
                *--p = 'x';
                *--p = '0';
                total += emit_padded(sink, ctx, p, static_cast<size_t>(end - p), spec, 2);
                break;
            }
            case '%':
                sink(ctx, "%", 1);
                ++total;
                break;
            default: {
                // Unknown or truncated conversion: show it literally.
                size_t len = static_cast<size_t>(fmt - conv_start) + (c ? 1 : 0);
                sink(ctx, conv_start, len);
                total += len;
                if (!c) return total;
            }
        }
        ++fmt;
    }
    return total;
}

size_t format(Sink sink, void* ctx, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t n = vformat(sink, ctx, fmt, args);
    va_end(args);
    return n;
}

namespace {
struct Buffer {
    char* buf;
    size_t size;
    size_t used;
};
void buffer_sink(void* ctx, const char* text, size_t len) {
    auto* b = static_cast<Buffer*>(ctx);
    for (size_t i = 0; i < len; ++i, ++b->used) {
        if (b->used + 1 < b->size) b->buf[b->used] = text[i];
    }
}
}  // namespace

size_t vsnformat(char* buf, size_t size, const char* fmt, va_list args) {
    Buffer b{buf, size, 0};
    vformat(buffer_sink, &b, fmt, args);
    if (size > 0) buf[b.used < size ? b.used : size - 1] = '\0';
    return b.used;
}

size_t snformat(char* buf, size_t size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    size_t n = vsnformat(buf, size, fmt, args);
    va_end(args);
    return n;
}

}  // namespace kernel
