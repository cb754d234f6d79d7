// The network card: Xen's split network driver, frontend half (xen/include/public/io/netif.h).
//
// Two shared rings in pages of ours, granted to the backend (dom0's xen-netback):
//   tx  we post a request per frame to send -- a read-only grant of the page holding it; the
//       backend copies the frame out and answers; then we end the grant and reuse the page.
//   rx  we post empty pages as writable grants; the backend copies each frame it receives for
//       us into one and answers with its length; we copy it out and post the page again.
// One event channel serves both.  Event delivery stays masked: the scheduler calls poll() on
// every pass and the idle vCPU wakes on the channel (time::also_wake_on).  When no rx page is
// posted, the backend drops what arrives for us (counted in dom0, see the chapter): we never
// stall, we only lose frames while the program does not read.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../xenbus/frontend.hpp"

namespace kernel::net {

struct Stats {
    uint64_t rx_frames = 0, rx_bytes = 0;
    uint64_t tx_frames = 0, tx_bytes = 0;
    uint64_t rx_errors = 0;     // rx responses with a negative status (NETIF_RSP_ERROR)
    uint64_t rx_truncated = 0;  // frames longer than the reader's buffer (the rest dropped, as TAP does)
    uint64_t rx_multislot = 0;  // responses with more_data/extra_info, which we did not ask for
    uint64_t tx_errors = 0;     // tx responses NETIF_RSP_ERROR / NETIF_RSP_DROPPED
    uint64_t tx_ring_full = 0;  // transmit() refused with -EAGAIN
    uint64_t grants_busy = 0;   // an end of access refused because the backend still used the page
    uint64_t rx_not_reposted = 0;  // an rx page not posted again (no grant ref free): one fewer to fill
};

// Brings up device/vif/0 through XenBus, saying each step on the console.  False when the
// guest has no card (one line says so) or the handshake failed (the line says why; the grants
// and the event channel taken by then are given back).
bool init();
bool present();
const xenbus::VifConfig& config();

// One received frame into out: its length, or -EAGAIN when none is waiting.  A frame longer
// than n is cut to n bytes.
long receive(void* out, size_t n);
// Sends one Ethernet frame (14-byte header, no FCS): n, -EAGAIN when every tx slot is in
// flight, -EMSGSIZE when longer than 14 + MTU, -EINVAL when shorter than a header.
long transmit(const void* data, size_t n);

// For epoll and blocking reads: a frame is waiting / a tx slot is free, and a counter that
// changes whenever either may have changed (fd/epoll_set.hpp: edge-triggered interest).
bool readable();
bool writable();
uint64_t changes();
// Runs when poll() finds new rx frames or freed tx slots: the file layer wakes its waiters.
void set_on_change(void (*hook)());

const Stats& stats();
// "netfront: rx 12 frames (1104 bytes), tx 12 frames ..." -- printed at shutdown.
void print_stats();

}  // namespace kernel::net

namespace kernel::net {

// Hands the card's settings to Go as environment variables (net/environment.cpp):
// VIF0_MAC=00:16:3e:63:00:02, VIF0_MTU=1500 and, when xenstore has one, VIF0_IP=10.99.0.2.
// Nothing when there is no card.
void export_environment();

}  // namespace kernel::net
