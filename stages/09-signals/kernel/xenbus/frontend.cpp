// Book: chapter 08-ping (book/stages/08-ping.md).
#include "frontend.hpp"

#include "../format.hpp"

namespace kernel::xenbus {
namespace {

// Give up on a transaction that keeps failing with EAGAIN: something is rewriting our nodes.
constexpr int kMaxAttempts = 16;

void join(char* out, size_t size, const char* dir, const char* key) {
    snformat(out, size, "%s/%s", dir, key);
}

bool parse_unsigned(const char* s, unsigned long* out) {
    if (*s == '\0') return false;
    unsigned long v = 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9') return false;
        v = v * 10 + unsigned(*s - '0');
        if (v > 0xffffffffu) return false;
    }
    *out = v;
    return true;
}

Error read_key(Store& store, uint32_t tx, const char* dir, const char* key, char* out, size_t size) {
    char path[192];
    join(path, sizeof path, dir, key);
    return store.read(tx, path, out, size);
}

Error write_key(Store& store, uint32_t tx, const char* dir, const char* key, const char* value) {
    char path[192];
    join(path, sizeof path, dir, key);
    return store.write(tx, path, value);
}

}  // namespace

bool parse_mac(const char* text, uint8_t out[6]) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (int i = 0; i < 6; ++i) {
        int hi = nibble(text[0]), lo = hi < 0 ? -1 : nibble(text[1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<uint8_t>(hi * 16 + lo);
        text += 2;
        if (i < 5 && *text++ != ':') return false;
    }
    return *text == '\0';
}

const char* state_name(XenbusState state) {
    switch (state) {
        case XenbusStateUnknown: return "Unknown";
        case XenbusStateInitialising: return "Initialising";
        case XenbusStateInitWait: return "InitWait";
        case XenbusStateInitialised: return "Initialised";
        case XenbusStateConnected: return "Connected";
        case XenbusStateClosing: return "Closing";
        case XenbusStateClosed: return "Closed";
        case XenbusStateReconfiguring: return "Reconfiguring";
        case XenbusStateReconfigured: return "Reconfigured";
    }
    return "(not a XenBus state)";
}

Error read_vif(Store& store, const char* node, VifConfig* out, bool* present) {
    *out = VifConfig{};
    *present = false;
    snformat(out->node, sizeof out->node, "%s", node);
    Error e = read_key(store, kNoTransaction, node, "backend", out->backend, sizeof out->backend);
    if (e.is("ENOENT")) return {};  // no card: libxl made no device/vif/0
    if (!e.ok()) return e;
    *present = true;
    char value[64];
    unsigned long n = 0;
    if (e = read_key(store, kNoTransaction, node, "backend-id", value, sizeof value); !e.ok()) return e;
    if (!parse_unsigned(value, &n) || n >= DOMID_FIRST_RESERVED) return Error("backend-id is not a domain id");
    out->backend_id = static_cast<domid_t>(n);
    if (e = read_key(store, kNoTransaction, node, "mac", value, sizeof value); !e.ok()) return e;
    if (!parse_mac(value, out->mac)) return Error("mac is not of the form 00:16:3e:xx:xx:xx");
    out->mtu = 1500;  // Ethernet's, and what netback assumes without a key
    if (read_key(store, kNoTransaction, node, "mtu", value, sizeof value).ok()) {
        if (!parse_unsigned(value, &n) || n < 576 || n > 65535) return Error("mtu is not a number from 576 to 65535");
        out->mtu = static_cast<unsigned>(n);
    }
    // libxl writes vif=['ip=...'] into the backend's directory only (Mini-OS reads it there).
    if (!read_key(store, kNoTransaction, out->backend, "ip", out->ip, sizeof out->ip).ok()) out->ip[0] = '\0';
    return {};
}

Error wait_for_backend(Store& store, const char* backend, XenbusState wanted, uint64_t timeout_ns, XenbusState* seen) {
    char path[192];
    join(path, sizeof path, backend, "state");
    if (Error e = store.watch(path, "backend-state"); !e.ok()) return e;
    uint64_t deadline = store.now_ns() + timeout_ns;
    Error result;
    for (;;) {
        char value[16];
        unsigned long n = 0;
        if (Error e = store.read(kNoTransaction, path, value, sizeof value); !e.ok()) {
            result = e;
            break;
        }
        if (!parse_unsigned(value, &n)) {
            result = Error("the backend's state is not a number");
            break;
        }
        *seen = static_cast<XenbusState>(n);
        if (*seen >= XenbusStateClosing) {
            result = Error("the backend is closing");
            break;
        }
        if (*seen >= wanted) break;
        char fired[192];
        // Every change of the node fires the watch; a timeout means the backend is stuck.
        if (!store.wait_watch(deadline, fired, sizeof fired)) {
            result = Error("timed out waiting for the backend");
            break;
        }
    }
    // A watch left set would make the next wait's XS_WATCH of the same path and token fail
    // (xenstored's do_watch answers EEXIST), so a failed unwatch is an error too, reported when
    // the wait itself went well.
    Error removed = store.unwatch(path, "backend-state");
    return result.ok() ? removed : result;
}

Error publish_rings(Store& store, const char* node, const RingRefs& refs, int* attempts) {
    char tx_ref[16], rx_ref[16], port[16];
    snformat(tx_ref, sizeof tx_ref, "%u", refs.tx_ring_ref);
    snformat(rx_ref, sizeof rx_ref, "%u", refs.rx_ring_ref);
    snformat(port, sizeof port, "%u", refs.event_channel);
    // [book:netback-keys]
    // The keys Linux's netback reads in connect() / read_xenbus_vif_flags(): the ring refs and
    // the channel it must have; request-rx-copy asks for the receive mode where the backend
    // copies into our pages (the only one Linux's netfront uses; tried on the test host's 6.1
    // dom0, the backend connects without the key too, but it is the protocol's way to say so);
    // feature-rx-notify says we notify when we post rx pages (otherwise it polls on a timer);
    // feature-no-csum-offload makes it hand over only frames with their checksums filled in.
    const char* const keys[][2] = {
        {"tx-ring-ref", tx_ref},          {"rx-ring-ref", rx_ref},   {"event-channel", port},
        {"request-rx-copy", "1"},         {"feature-rx-notify", "1"}, {"feature-no-csum-offload", "1"},
        {"feature-sg", "0"},              {"feature-gso-tcpv4", "0"},
    };
    // [book:netback-keys-end]
    for (*attempts = 1; *attempts <= kMaxAttempts; ++*attempts) {
        uint32_t tx = 0;
        if (Error e = store.transaction_start(&tx); !e.ok()) return e;
        Error failed;
        for (const auto& kv : keys)
            if (failed = write_key(store, tx, node, kv[0], kv[1]); !failed.ok()) break;
        if (!failed.ok()) {
            // The write's error is the one to report: the abort only tidies up after it.
            static_cast<void>(store.transaction_end(tx, false));
            return failed;
        }
        Error e = store.transaction_end(tx, true);
        if (!e.is("EAGAIN")) return e;  // committed, or a failure that retrying will not cure
    }
    // The loop's last ++ left *attempts one past the transactions actually made.
    *attempts = kMaxAttempts;
    return Error("the transaction kept failing with EAGAIN");
}

Error switch_state(Store& store, const char* node, XenbusState state) {
    char value[4];
    snformat(value, sizeof value, "%d", static_cast<int>(state));
    return write_key(store, kNoTransaction, node, "state", value);
}

}  // namespace kernel::xenbus
