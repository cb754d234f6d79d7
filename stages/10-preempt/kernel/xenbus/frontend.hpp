// A XenBus frontend's walk through xenstore, for the network card (device/vif/0): what the
// toolstack wrote for us, the backend's state, the keys that connect the rings, our own state.
//
// The handshake (xen/include/public/io/xenbus.h, and what Linux 6.1's xen-netback expects):
//   1. libxl writes device/vif/0/{backend, backend-id, mac, mtu, state=Initialising} before
//      the domain runs; the backend directory gets the same and, from vif=['ip=...'], "ip".
//   2. The backend moves to InitWait once it can accept a frontend.
//   3. The frontend writes its ring refs, event channel and features in one transaction
//      (retried while xenstored answers EAGAIN: someone changed what the transaction read),
//      then its state Connected.
//   4. The backend maps the rings, binds the channel and goes Connected.
// Only xenstore is used here (the Store interface), so the host tests walk it against a
// scripted backend.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../xen.hpp"
#include "store.hpp"

namespace kernel::xenbus {

struct VifConfig {
    char node[32];       // our directory, relative: "device/vif/0"
    char backend[128];   // the backend's directory, e.g. /local/domain/0/backend/vif/5/0
    domid_t backend_id;
    uint8_t mac[6];
    unsigned mtu;        // 1500 when the toolstack wrote none
    char ip[16];         // "" when the vif has no ip= key
};

// What the frontend publishes for the backend.
struct RingRefs {
    uint32_t tx_ring_ref;
    uint32_t rx_ring_ref;
    uint32_t event_channel;
};

// "00:16:3e:63:00:02" -> six bytes.  False for anything else.
bool parse_mac(const char* text, uint8_t out[6]);

// Reads the card's configuration.  *present false (and success returned) when the toolstack
// created no device/vif/0: the guest has no network card.
Error read_vif(Store& store, const char* node, VifConfig* out, bool* present);

// Waits (a watch on <backend>/state) until the backend is in `wanted` or a later state before
// Closing; *seen: the last state read.  An error for a timeout or a backend that closes.
Error wait_for_backend(Store& store, const char* backend, XenbusState wanted, uint64_t timeout_ns, XenbusState* seen);

// Writes the ring refs, event channel and features in one transaction; *attempts: how many
// transactions it took (EAGAIN retries).
Error publish_rings(Store& store, const char* node, const RingRefs& refs, int* attempts);

// Writes <node>/state.
Error switch_state(Store& store, const char* node, XenbusState state);

// XenbusStateInitWait -> "InitWait".
const char* state_name(XenbusState state);

}  // namespace kernel::xenbus
