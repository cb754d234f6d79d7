// Xenstore's wire format (xen/include/public/io/xs_wire.h), free of any Xen call so the host
// tests can run it: encoding requests, and taking the reply stream apart.
//
// Every message is a 16-byte header (type, req_id, tx_id, len) and len bytes of payload, at
// most XENSTORE_PAYLOAD_MAX (4096).  Payload strings are NUL-separated: a read is "path\0", a
// write "path\0value" (the value without a NUL), a watch "path\0token\0".  The reply stream
// mixes replies (same req_id as the request) with XS_WATCH_EVENT messages ("path\0token\0",
// req_id 0) that xenstored sends whenever a watched node changes -- also while we wait for an
// unrelated reply.  Demux sorts them: the reply we wait for, and a queue of watch events.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../xen.hpp"

namespace kernel::xenbus::wire {

inline constexpr size_t kHeader = sizeof(xsd_sockmsg);
inline constexpr size_t kPayloadMax = XENSTORE_PAYLOAD_MAX;

// One piece of a request's payload; `nul` adds the NUL that ends it.
struct Part {
    const char* text;
    bool nul;
};

// Writes header + payload into out.  Returns the message's size, or 0 when it does not fit in
// `capacity` or the payload would exceed kPayloadMax.
size_t encode(uint32_t type, uint32_t req_id, uint32_t tx_id, const Part* parts, size_t count, char* out,
              size_t capacity);

// Reassembles the messages of the reply stream, sorting out watch events.
class Demux {
public:
    static constexpr size_t kWatchQueue = 8;
    static constexpr size_t kPathMax = 256;

    // The req_id of the reply we wait for; clears any previous reply.
    void expect(uint32_t req_id);
    // Takes bytes of the stream (any split).  Returns false on a protocol error (a message
    // longer than XENSTORE_PAYLOAD_MAX): the stream cannot be resynchronised.
    bool feed(const char* data, size_t n);
    bool reply_ready() const { return reply_ready_; }
    uint32_t reply_type() const { return reply_type_; }
    // The reply's payload, with a NUL added after its len bytes.
    const char* reply_payload() const { return reply_; }
    size_t reply_length() const { return reply_length_; }
    // The oldest watch event not yet taken (path and token copied out, NUL-terminated).
    bool pop_watch(char* path, size_t path_size, char* token, size_t token_size);
    size_t watches_queued() const { return watch_count_; }
    // Watch events lost because the queue was full, and messages that were neither a watch
    // event nor the awaited reply (a reply to a request we gave up on).
    size_t watches_dropped() const { return watches_dropped_; }
    size_t strays() const { return strays_; }

private:
    void message_done();
    struct Watch {
        char path[kPathMax];
        char token[32];
    };
    char buf_[kHeader + kPayloadMax + 1] = {};
    size_t have_ = 0;
    uint32_t expected_ = 0;
    bool reply_ready_ = false;
    uint32_t reply_type_ = 0;
    char reply_[kPayloadMax + 1] = {};
    size_t reply_length_ = 0;
    Watch watches_[kWatchQueue] = {};
    size_t watch_head_ = 0, watch_count_ = 0;
    size_t watches_dropped_ = 0, strays_ = 0;
};

}  // namespace kernel::xenbus::wire
