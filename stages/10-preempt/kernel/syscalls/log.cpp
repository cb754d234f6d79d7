// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "log.hpp"

#include "names.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

constexpr size_t kMaxShown = 48;  // bytes of a string or buffer argument shown

struct Buf {
    char* p;
    size_t size;
    size_t used;
};

void put(Buf& b, const char* text, size_t len) {
    for (size_t i = 0; i < len; ++i, ++b.used)
        if (b.used + 1 < b.size) b.p[b.used] = text[i];
}

void put_str(Buf& b, const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    put(b, s, n);
}

void sink_to_buf(void* ctx, const char* text, size_t len) { put(*static_cast<Buf*>(ctx), text, len); }

void putf(Buf& b, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void putf(Buf& b, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vformat(sink_to_buf, &b, fmt, args);
    va_end(args);
}

// Bytes as a C string literal: printable ASCII as is, \n \t \" \\ escaped, others \xNN.
void put_quoted(Buf& b, const char* data, size_t len, bool stop_at_nul, size_t max_shown = kMaxShown) {
    put(b, "\"", 1);
    size_t i = 0;
    for (; i < len && i < max_shown; ++i) {
        unsigned char c = static_cast<unsigned char>(data[i]);
        if (stop_at_nul && c == 0) break;
        if (c == '\n') put(b, "\\n", 2);
        else if (c == '\t') put(b, "\\t", 2);
        else if (c == '"' || c == '\\') { put(b, "\\", 1); put(b, reinterpret_cast<const char*>(&c), 1); }
        else if (c >= 0x20 && c < 0x7f) put(b, reinterpret_cast<const char*>(&c), 1);
        else putf(b, "\\x%02x", c);
    }
    put(b, "\"", 1);
    bool more = stop_at_nul ? (i == max_shown && data[i] != 0) : (i < len);
    if (more) put(b, "...", 3);
}

struct Flag {
    uint64_t bit;
    const char* name;
};

// Names for the set bits; unknown bits in hex; `none` when value is 0.
void put_flags(Buf& b, uint64_t value, const Flag* flags, size_t n, const char* none) {
    if (value == 0) {
        put_str(b, none);
        return;
    }
    bool first = true;
    for (size_t i = 0; i < n; ++i) {
        if (!(value & flags[i].bit)) continue;
        if (!first) put(b, "|", 1);
        put_str(b, flags[i].name);
        value &= ~flags[i].bit;
        first = false;
    }
    if (value) putf(b, "%s0x%lx", first ? "" : "|", value);
}

constexpr Flag kProt[] = {{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}};
constexpr Flag kMapFlags[] = {{0x01, "MAP_SHARED"},    {0x02, "MAP_PRIVATE"},   {0x10, "MAP_FIXED"},
                              {0x20, "MAP_ANONYMOUS"}, {0x4000, "MAP_NORESERVE"}, {0x100000, "MAP_FIXED_NOREPLACE"}};

void put_length(Buf& b, uint64_t v) {
    if (v >= (1u << 20) && v % (1u << 20) == 0) putf(b, "0x%lx (%lu MiB)", v, v >> 20);
    else if (v >= 1024 && v % 1024 == 0) putf(b, "0x%lx (%lu KiB)", v, v >> 10);
    else putf(b, "0x%lx", v);
}

void put_advice(Buf& b, uint64_t v) {
    switch (v) {
        case 0: put_str(b, "MADV_NORMAL"); break;
        case 4: put_str(b, "MADV_DONTNEED"); break;
        case 8: put_str(b, "MADV_FREE"); break;
        case 14: put_str(b, "MADV_HUGEPAGE"); break;
        case 15: put_str(b, "MADV_NOHUGEPAGE"); break;
        case 22: put_str(b, "MADV_POPULATE_READ"); break;
        case 23: put_str(b, "MADV_POPULATE_WRITE"); break;
        default: putf(b, "%lu", v);
    }
}

void put_arg(Buf& b, char kind, uint64_t value, uint64_t next) {
    switch (kind) {
        case 'd': putf(b, "%d", static_cast<int>(value)); break;  // C int: the low 32 bits
        case 'u': putf(b, "%lu", value); break;
        case 'x':
        case 'a': putf(b, "0x%lx", value); break;
        case 'p':
            if (value == 0) put_str(b, "NULL");
            else putf(b, "vaddr 0x%lx", value);
            break;
        case 's':
            if (value == 0) put_str(b, "NULL");
            else put_quoted(b, reinterpret_cast<const char*>(value), kMaxShown, true);
            break;
        case 'b':
            if (value == 0) put_str(b, "NULL");
            else put_quoted(b, reinterpret_cast<const char*>(value), next, false);
            break;
        case 'L': put_length(b, value); break;
        case 'P': put_flags(b, value, kProt, 3, "PROT_NONE"); break;
        case 'F': put_flags(b, value, kMapFlags, 6, "0"); break;
        case 'M': put_advice(b, value); break;
        case 'S': {
            const char* name = signal_name(value);
            if (name) put_str(b, name);
            else putf(b, "%lu", value);
            break;
        }
        default: putf(b, "0x%lx", value);
    }
}

}  // namespace

size_t Log::format_call(char* out, size_t size, const Args& call) {
    Buf b{out, size, 0};
    const Info* in = info(call.nr);
    if (in) {
        put_str(b, in->name);
        put(b, "(", 1);
        for (int i = 0; in->args[i]; ++i) {
            if (i) put(b, ", ", 2);
            put_arg(b, in->args[i], call.a[i], i < 5 ? call.a[i + 1] : 0);
        }
        put(b, ")", 1);
    } else {
        // Unknown to this kernel: the number and all six registers, since we cannot know how
        // many the call uses.
        putf(b, "syscall_%lu(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx)", call.nr, call.a[0], call.a[1],
             call.a[2], call.a[3], call.a[4], call.a[5]);
    }
    if (size) out[b.used < size ? b.used : size - 1] = '\0';
    return b.used;
}

size_t Log::format_result(char* out, size_t size, uint64_t nr, long result) {
    Buf b{out, size, 0};
    if (result < 0 && result > -4096) {
        const char* name = errno_name(-result);
        if (name) putf(b, " = -%s", name);
        else putf(b, " = -%ld", -result);
    } else if (nr == 9 /* mmap */) {
        putf(b, " = 0x%lx", static_cast<uint64_t>(result));
    } else {
        putf(b, " = %ld", result);
    }
    if (size) out[b.used < size ? b.used : size - 1] = '\0';
    return b.used;
}

void Log::emit_text(size_t length) {
    char quoted[4 * sizeof text_ + 8];  // every byte may need \xNN
    Buf line{quoted, sizeof quoted, 0};
    put_quoted(line, text_, length, false, sizeof text_);  // a whole line of the program's text
    quoted[line.used < sizeof quoted ? line.used : sizeof quoted - 1] = '\0';
    char res[32];
    format_result(res, sizeof res, 1, text_result_);
    unsigned calls = text_calls_;
    // Take the text out before printing: printing runs the console's before-write hook,
    // which flushes this log again.
    for (size_t i = length; i < text_len_; ++i) text_[i - length] = text_[i];
    text_len_ -= length;
    text_calls_ = 0;
    format(sink_, context_, "[syscall] write(%lu, %s) in %u call%s, each%s%s\n", text_fd_, quoted, calls,
           calls == 1 ? "" : "s", res, text_implemented_ ? "" : " (not implemented)");
}

void Log::flush_text() {
    if (text_len_ > 0) emit_text(text_len_);
    text_calls_ = 0;
}

void Log::add_text(const Args& call, long result, bool implemented) {
    if (text_len_ > 0 && (call.a[0] != text_fd_ || result != text_result_ || implemented != text_implemented_))
        flush_text();
    text_fd_ = call.a[0];
    text_result_ = result;
    text_implemented_ = implemented;
    ++text_calls_;
    const char* data = reinterpret_cast<const char*>(call.a[1]);
    for (uint64_t i = 0; i < call.a[2]; ++i) {
        text_[text_len_++] = data[i];
        if (data[i] == '\n' || text_len_ == sizeof text_) {
            emit_text(text_len_);
            if (i + 1 < call.a[2]) text_calls_ = 1;  // the rest of this call starts the next line
        }
    }
}

void Log::flush() {
    flush_text();
    if (batch_more_ == 0) return;
    unsigned more = batch_more_;
    batch_more_ = 0;  // first: the sink may call flush() again (the console's before-write hook)
    const Info* in = info(batch_nr_);
    char result[32];
    format_result(result, sizeof result, batch_nr_, batch_result_);
    format(sink_, context_, "[%s]   ... and %u more %s calls like it, each%s\n", batch_via_ ? batch_via_ : "syscall",
           more, in ? in->name : "such", result);
}

void Log::record(const Args& call, long result, const char* via, bool implemented, const char* note) {
    if (implemented && level_ == Level::Unimplemented) return;
    const Info* in = info(call.nr);
    if (implemented && level_ == Level::Default && in && in->quiet()) return;
    if (call.nr == 1 && (call.a[0] == 1 || call.a[0] == 2) && call.a[1] != 0 && call.a[2] != 0 && via == nullptr) {
        if (batch_more_) flush();
        batch_nr_ = ~uint64_t{0};
        add_text(call, result, implemented);
        return;
    }
    flush_text();
    bool batchable = in && in->batch();
    if (batchable && call.nr == batch_nr_ && result == batch_result_ && via == batch_via_) {
        ++batch_more_;
        return;
    }
    flush();
    char line[256];
    format_call(line, sizeof line, call);
    char res[32];
    format_result(res, sizeof res, call.nr, result);
    bool has_note = note && *note;
    format(sink_, context_, "[%s] %s%s%s%s%s%s\n", via ? via : "syscall", line, res,
           implemented ? "" : " (not implemented)", has_note ? " (" : "", has_note ? note : "", has_note ? ")" : "");
    batch_nr_ = batchable ? call.nr : ~uint64_t{0};
    batch_result_ = result;
    batch_via_ = via;
}

}  // namespace kernel::syscalls
