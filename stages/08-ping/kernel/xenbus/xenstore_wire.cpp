// Book: chapter 08-ping (book/stages/08-ping.md).
#include "xenstore_wire.hpp"

#include "../string.hpp"

namespace kernel::xenbus::wire {
namespace {

void copy_string(char* out, size_t size, const char* in, size_t n) {
    if (size == 0) return;
    size_t k = n < size - 1 ? n : size - 1;
    memcpy(out, in, k);
    out[k] = '\0';
}

}  // namespace

size_t encode(uint32_t type, uint32_t req_id, uint32_t tx_id, const Part* parts, size_t count, char* out,
              size_t capacity) {
    size_t len = 0;
    for (size_t i = 0; i < count; ++i) len += strlen(parts[i].text) + (parts[i].nul ? 1 : 0);
    if (len > kPayloadMax || kHeader + len > capacity) return 0;
    xsd_sockmsg header{type, req_id, tx_id, static_cast<uint32_t>(len)};
    memcpy(out, &header, kHeader);
    size_t at = kHeader;
    for (size_t i = 0; i < count; ++i) {
        size_t n = strlen(parts[i].text);
        memcpy(out + at, parts[i].text, n);
        at += n;
        if (parts[i].nul) out[at++] = '\0';
    }
    return at;
}

void Demux::expect(uint32_t req_id) {
    expected_ = req_id;
    reply_ready_ = false;
    reply_length_ = 0;
}

bool Demux::feed(const char* data, size_t n) {
    while (n > 0) {
        size_t want = kHeader;
        if (have_ >= kHeader) {
            const auto* h = reinterpret_cast<const xsd_sockmsg*>(buf_);
            if (h->len > kPayloadMax) return false;
            want = kHeader + h->len;
        }
        size_t take = want - have_ < n ? want - have_ : n;
        memcpy(buf_ + have_, data, take);
        have_ += take;
        data += take;
        n -= take;
        if (have_ < kHeader) continue;
        const auto* h = reinterpret_cast<const xsd_sockmsg*>(buf_);
        if (h->len > kPayloadMax) return false;
        if (have_ == kHeader + h->len) message_done();  // also a header with no payload
    }
    return true;
}

void Demux::message_done() {
    const auto* h = reinterpret_cast<const xsd_sockmsg*>(buf_);
    const char* payload = buf_ + kHeader;
    if (h->type == XS_WATCH_EVENT) {
        // "path\0token\0"; a malformed event (no NUL) is taken as a path with an empty token.
        size_t path_len = 0;
        while (path_len < h->len && payload[path_len]) ++path_len;
        size_t token_at = path_len + 1 < h->len ? path_len + 1 : h->len;
        size_t token_len = 0;
        while (token_at + token_len < h->len && payload[token_at + token_len]) ++token_len;
        if (watch_count_ == kWatchQueue) {
            ++watches_dropped_;
        } else {
            Watch& w = watches_[(watch_head_ + watch_count_++) % kWatchQueue];
            copy_string(w.path, sizeof w.path, payload, path_len);
            copy_string(w.token, sizeof w.token, payload + token_at, token_len);
        }
    } else if (h->req_id == expected_ && !reply_ready_) {
        memcpy(reply_, payload, h->len);
        reply_[h->len] = '\0';
        reply_length_ = h->len;
        reply_type_ = h->type;
        reply_ready_ = true;
    } else {
        ++strays_;
    }
    have_ = 0;
}

bool Demux::pop_watch(char* path, size_t path_size, char* token, size_t token_size) {
    if (watch_count_ == 0) return false;
    Watch& w = watches_[watch_head_];
    copy_string(path, path_size, w.path, strlen(w.path));
    copy_string(token, token_size, w.token, strlen(w.token));
    watch_head_ = (watch_head_ + 1) % kWatchQueue;
    --watch_count_;
    return true;
}

}  // namespace kernel::xenbus::wire
