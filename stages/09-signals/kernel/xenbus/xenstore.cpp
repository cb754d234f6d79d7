// Book: chapter 08-ping (book/stages/08-ping.md).
#include "xenstore.hpp"

#include "../address.hpp"
#include "../console_ring.hpp"
#include "../hypercall.hpp"
#include "../m2p.hpp"
#include "../string.hpp"
#include "../time/clock.hpp"
#include "../time/timer.hpp"
#include "xenstore_wire.hpp"

namespace kernel::xenbus {
namespace {

// How long a request may wait for its reply.  xenstored answers in microseconds; seconds mean
// it is gone or the ring is broken, and the caller should say so rather than hang.
constexpr uint64_t kReplyTimeoutNs = 5'000'000'000;

class RingStore final : public Store {
public:
    void init(const start_info& si) {
        ring_ = pfn_to_virt(m2p::lookup(Mfn{si.store_mfn})).as<xenstore_domain_interface>();
        port_ = si.store_evtchn;
        time::also_wake_on(port_);  // replies end the idle wait at once
    }

    Error read(uint32_t tx, const char* path, char* out, size_t size) override {
        wire::Part parts[] = {{path, true}};
        if (Error e = request(XS_READ, tx, parts, 1); !e.ok()) return e;
        return copy_reply(out, size, nullptr);
    }
    Error write(uint32_t tx, const char* path, const char* value) override {
        wire::Part parts[] = {{path, true}, {value, false}};  // xs_wire.h: the value has no NUL
        return request(XS_WRITE, tx, parts, 2);
    }
    Error directory(uint32_t tx, const char* path, char* out, size_t size, size_t* length) override {
        wire::Part parts[] = {{path, true}};
        if (Error e = request(XS_DIRECTORY, tx, parts, 1); !e.ok()) return e;
        return copy_reply(out, size, length);
    }
    Error transaction_start(uint32_t* tx) override {
        wire::Part parts[] = {{"", true}};
        if (Error e = request(XS_TRANSACTION_START, kNoTransaction, parts, 1); !e.ok()) return e;
        uint32_t id = 0;  // the reply is the id in decimal
        for (const char* p = demux_.reply_payload(); *p >= '0' && *p <= '9'; ++p) id = id * 10 + uint32_t(*p - '0');
        *tx = id;
        return {};
    }
    Error transaction_end(uint32_t tx, bool commit) override {
        wire::Part parts[] = {{commit ? "T" : "F", true}};
        return request(XS_TRANSACTION_END, tx, parts, 1);
    }
    Error watch(const char* path, const char* token) override {
        wire::Part parts[] = {{path, true}, {token, true}};
        return request(XS_WATCH, kNoTransaction, parts, 2);
    }
    Error unwatch(const char* path, const char* token) override {
        wire::Part parts[] = {{path, true}, {token, true}};
        return request(XS_UNWATCH, kNoTransaction, parts, 2);
    }
    bool wait_watch(uint64_t deadline_ns, char* path, size_t size) override {
        char token[32];
        for (;;) {
            if (demux_.pop_watch(path, size, token, sizeof token)) return true;
            if (take_replies().ok() && demux_.pop_watch(path, size, token, sizeof token)) return true;
            if (time::monotonic_ns() >= deadline_ns) return false;
            time::wait_until(deadline_ns);
        }
    }
    uint64_t now_ns() override { return time::monotonic_ns(); }

private:
    // Sends one request and waits for its reply; an XS_ERROR reply becomes its error name.
    Error request(uint32_t type, uint32_t tx, const wire::Part* parts, size_t count) {
        // lab 08-ping begin: RingStore::request
        static char message[wire::kHeader + wire::kPayloadMax];
        size_t n = wire::encode(type, ++req_id_, tx, parts, count, message, sizeof message);
        if (n == 0) return Error("request too long for xenstore");
        demux_.expect(req_id_);
        uint64_t deadline = time::monotonic_ns() + kReplyTimeoutNs;
        // The request goes in as room allows (a message may be larger than the free space).
        size_t sent = 0;
        while (sent < n) {
            ring::Index prod = ring_->req_prod;
            ring::Index cons = __atomic_load_n(&ring_->req_cons, __ATOMIC_ACQUIRE);
            size_t k = ring::write(ring_->req, sizeof ring_->req, prod, cons, message + sent, n - sent);
            if (k > 0) {
                __atomic_store_n(&ring_->req_prod, prod, __ATOMIC_RELEASE);  // bytes before index
                hv::notify(port_);
                sent += k;
                continue;
            }
            if (time::monotonic_ns() >= deadline) return Error("no room in the xenstore ring");
            time::wait_until(deadline);
        }
        while (!demux_.reply_ready()) {
            if (Error e = take_replies(); !e.ok()) return e;
            if (demux_.reply_ready()) break;
            if (time::monotonic_ns() >= deadline) return Error("no reply from xenstored");
            time::wait_until(deadline);
        }
        if (demux_.reply_type() == XS_ERROR) return error_name(demux_.reply_payload());
        return {};
        // lab 08-ping end
    }

    // Moves whatever xenstored has put in the reply ring into the demultiplexer.
    Error take_replies() {
        // lab 08-ping begin: RingStore::take_replies
        char chunk[XENSTORE_RING_SIZE];
        ring::Index cons = ring_->rsp_cons;
        ring::Index prod = __atomic_load_n(&ring_->rsp_prod, __ATOMIC_ACQUIRE);  // index before bytes
        size_t n = ring::read(ring_->rsp, sizeof ring_->rsp, prod, cons, chunk, sizeof chunk);
        if (n == 0) return {};
        __atomic_thread_fence(__ATOMIC_SEQ_CST);  // bytes copied out before the space is given back
        __atomic_store_n(&ring_->rsp_cons, cons, __ATOMIC_RELEASE);
        hv::notify(port_);  // xenstored may be waiting for room to write more
        if (!demux_.feed(chunk, n)) return Error("xenstore sent a message longer than XENSTORE_PAYLOAD_MAX");
        return {};
        // lab 08-ping end
    }

    Error copy_reply(char* out, size_t size, size_t* length) {
        size_t n = demux_.reply_length();
        if (n + 1 > size) return Error("reply does not fit");
        memcpy(out, demux_.reply_payload(), n);
        out[n] = '\0';
        if (length) *length = n;
        return {};
    }

    // xs_wire.h's xsd_errors lists the names xenstored sends; keep ours pointing at that table
    // so the caller gets a string that outlives the next reply.
    static Error error_name(const char* payload) {
        for (const auto& e : xsd_errors)
            if (strcmp(e.errstring, payload) == 0) return Error(e.errstring);
        return Error("unknown xenstore error");
    }

    xenstore_domain_interface* ring_ = nullptr;
    evtchn_port_t port_ = 0;
    uint32_t req_id_ = 0;
    wire::Demux demux_;
};

constinit RingStore g_store;

}  // namespace

void init_xenstore(const start_info& si) { g_store.init(si); }

Store& xenstore() { return g_store; }

}  // namespace kernel::xenbus
