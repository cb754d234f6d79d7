// Book: chapter 08-ping (book/stages/08-ping.md).
#include "netfront.hpp"

#include "../address.hpp"
#include "../console.hpp"
#include "../format.hpp"
#include "../memory/memory.hpp"
#include "../scheduler.hpp"
#include "../string.hpp"
#include "../syscalls/errno.hpp"
#include "../time/timer.hpp"
#include "../xenbus/event_channel.hpp"
#include "../xenbus/grant_table.hpp"
#include "../xenbus/xenstore.hpp"
#include "front_ring.hpp"

namespace kernel::net {
namespace {

using syscalls::kEAGAIN;
using syscalls::kEINVAL;
using syscalls::kEMSGSIZE;

// Pages posted for receiving, and pages for frames in flight to the backend.  128 rx pages
// (half the ring's 256 slots, 512 KiB) carry a flood ping's burst.  64 tx pages hold the 45
// fragments of the largest IPv4 reply at once (with 32, Go's writes met a full ring and had to
// wait in the netpoller for the backend's answers).
constexpr unsigned kRxPages = 128;
constexpr unsigned kTxPages = 64;
constexpr unsigned kEthernetHeader = 14;
// The backend answers in milliseconds; ten seconds means it is not coming (not loaded, or
// refusing our keys: dom0's kernel log says why).
constexpr uint64_t kBackendTimeoutNs = 10'000'000'000;

struct Page {
    Pfn pfn{0};
    grant::Ref ref{0};
    bool granted = false;    // an rx page posted / a tx page in flight
    bool has_frame = false;  // pfn was allocated (memory::allocate_frame)
};

constinit FrontRing<netif_tx_sring> g_tx;
constinit FrontRing<netif_rx_sring> g_rx;
Page g_tx_ring_page, g_rx_ring_page;  // the shared rings themselves
Page g_rx_pages[kRxPages];
Page g_tx_pages[kTxPages];
uint16_t g_tx_free[kTxPages];  // stack of free tx page ids
unsigned g_tx_free_count = 0;
evtchn_port_t g_port = 0;
bool g_published = false;  // the ring refs and the channel are in xenstore for the backend
xenbus::VifConfig g_config;
bool g_present = false;
Stats g_stats;
uint64_t g_changes = 0;
uint32_t g_rx_seen = 0;  // rx responses produced when poll() last looked
void (*g_on_change)() = nullptr;

char* page_bytes(Pfn pfn) { return pfn_to_virt(pfn).as<char>(); }

// Ends the grant of a page the backend has answered for.  netback copies with GNTTABOP_copy and
// answers only after the copy, so the grant is free by now; if it is not, the page is kept out
// of use (and counted) rather than handed back while the backend may still write it.
bool end_grant(Page& page) {
    grant::EndResult r = grant::table().end_access(page.ref);
    if (r == grant::EndResult::InUse) {
        ++g_stats.grants_busy;
        return false;
    }
    page.granted = false;
    return true;
}

bool post_rx(unsigned id) {
    Page& page = g_rx_pages[id];
    if (!grant::table().grant(g_config.backend_id, memory::machine_frame(page.pfn), false, &page.ref)) return false;
    page.granted = true;
    netif_rx_request& req = g_rx.next_request();
    req.id = static_cast<uint16_t>(id);
    req.gref = page.ref.value;
    return true;
}

void push_rx() {
    // feature-rx-notify: we promised to notify when we post rx pages the backend asked for.
    if (g_rx.push_requests()) evtchn::notify(g_port);
}

// Takes the backend's tx answers: each frees a page.
bool collect_tx() {
    bool any = false;
    while (g_tx.has_responses()) {
        netif_tx_response rsp = g_tx.take_response();
        any = true;
        if (rsp.id >= kTxPages || !g_tx_pages[rsp.id].granted) {
            ++g_stats.tx_errors;  // an answer for no request of ours: a broken backend
            continue;
        }
        if (rsp.status != NETIF_RSP_OKAY) ++g_stats.tx_errors;
        if (end_grant(g_tx_pages[rsp.id])) g_tx_free[g_tx_free_count++] = rsp.id;
    }
    return any;
}

void changed() {
    ++g_changes;
    if (g_on_change) g_on_change();
}

// The scheduler's pass: tx answers free pages; new rx answers make the card readable.
void poll() {
    if (!g_present) return;
    bool freed = collect_tx();
    uint32_t produced = g_rx.responses_produced();
    if (freed || produced != g_rx_seen) {
        g_rx_seen = produced;
        changed();
    }
}

bool allocate_pages(Page* pages, unsigned count) {
    for (unsigned i = 0; i < count; ++i)
        if (!(pages[i].has_frame = memory::allocate_frame(&pages[i].pfn))) return false;
    return true;
}

// A shared ring: a page of ours, granted writable to the backend, which maps it.
template <typename Ring, typename Sring>
bool make_ring(Ring& ring, Page& page) {
    if (!(page.has_frame = memory::allocate_frame(&page.pfn))) return false;
    ring.init(pfn_to_virt(page.pfn).as<Sring>(), kPageSize);
    page.granted = grant::table().grant(g_config.backend_id, memory::machine_frame(page.pfn), false, &page.ref);
    return page.granted;
}

// Gives back what init() set up before a step failed, as Mini-OS's netfront does on its error
// path (free_netfront) and Linux's with xennet_disconnect_backend.  Once the backend has been
// told where our rings are, our state goes to Closed first: xen-netback's frontend_changed then
// disconnects instead of mapping them.  A grant the backend still holds (a ring it has mapped)
// cannot be ended (grant_entries.hpp): its ref stays taken and its frame with it, unused; every
// other frame goes back to the allocator.
void undo_init() {
    if (g_published) {
        if (xenbus::Error e = xenbus::switch_state(xenbus::xenstore(), g_config.node, XenbusStateClosed); !e.ok())
            console::printf("netfront: writing our state Closed: %s\n", e.message());
        g_published = false;
    }
    unsigned kept = 0;
    auto release = [&kept](Page& page) {
        if (page.granted && !end_grant(page)) {
            ++kept;  // the backend may still write the page: it is not ours to reuse
            return;
        }
        if (page.has_frame) memory::free_frame(page.pfn);
        page.has_frame = false;
    };
    for (Page& page : g_rx_pages) release(page);
    for (Page& page : g_tx_pages) release(page);
    release(g_tx_ring_page);
    release(g_rx_ring_page);
    g_tx_free_count = 0;
    if (g_port != 0) {
        if (long rc = evtchn::close(g_port); rc != 0)
            console::printf("netfront: EVTCHNOP_close of event channel %u: Xen answered rc %ld\n", g_port, rc);
        g_port = 0;
    }
    if (kept > 0) console::printf("netfront: %u grants kept: the backend still uses their pages\n", kept);
}

bool fail(const char* step, const char* why) {
    console::printf("netfront: %s: %s; the guest runs without a network card\n", step, why);
    undo_init();
    return false;
}

}  // namespace

bool init() {
    using namespace xenbus;
    Store& store = xenstore();
    bool found = false;
    if (Error e = read_vif(store, "device/vif/0", &g_config, &found); !e.ok())
        return fail("reading device/vif/0", e.message());
    if (!found) {
        console::printf("netfront: no network card: xenstore has no device/vif/0 (the domain was created without a vif)\n");
        return false;
    }
    const uint8_t* m = g_config.mac;
    console::printf("netfront: device/vif/0: backend %s (domain %u), mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, ip %s\n",
                    g_config.backend, g_config.backend_id, m[0], m[1], m[2], m[3], m[4], m[5], g_config.mtu,
                    g_config.ip[0] ? g_config.ip : "(none in xenstore)");

    XenbusState seen = XenbusStateUnknown;
    if (Error e = wait_for_backend(store, g_config.backend, XenbusStateInitWait, kBackendTimeoutNs, &seen); !e.ok())
        return fail("waiting for the backend to reach InitWait", e.message());
    console::printf("netfront: backend state %s\n", state_name(seen));

    if (!make_ring<decltype(g_tx), netif_tx_sring>(g_tx, g_tx_ring_page) ||
        !make_ring<decltype(g_rx), netif_rx_sring>(g_rx, g_rx_ring_page) || !allocate_pages(g_rx_pages, kRxPages) ||
        !allocate_pages(g_tx_pages, kTxPages))
        return fail("setting up the rings", "no free frame or grant ref left");
    const grant::Ref tx_ref = g_tx_ring_page.ref, rx_ref = g_rx_ring_page.ref;
    long rc = 0;
    g_port = evtchn::alloc_unbound(g_config.backend_id, &rc);
    if (g_port == 0) {
        char why[40];
        snformat(why, sizeof why, "Xen answered rc %ld", rc);
        return fail("EVTCHNOP_alloc_unbound", why);
    }
    for (unsigned i = 0; i < kRxPages; ++i)
        if (!post_rx(i)) return fail("posting rx pages", "no grant ref left");
    g_rx.push_requests();  // the backend is not connected yet: it reads req_prod when it is
    for (unsigned i = 0; i < kTxPages; ++i) g_tx_free[g_tx_free_count++] = static_cast<uint16_t>(kTxPages - 1 - i);
    console::printf("netfront: tx ring %u slots (grant ref %u), rx ring %u slots (grant ref %u), event channel %u; "
                    "%u rx pages posted\n",
                    g_tx.size(), tx_ref.value, g_rx.size(), rx_ref.value, g_port, kRxPages);

    int attempts = 0;
    RingRefs refs{tx_ref.value, rx_ref.value, g_port};
    if (Error e = publish_rings(store, g_config.node, refs, &attempts); !e.ok())
        return fail("publishing the rings", e.message());
    g_published = true;
    console::printf("netfront: wrote tx-ring-ref, rx-ring-ref, event-channel, request-rx-copy=1, feature-rx-notify=1, "
                    "feature-no-csum-offload=1 (%d transaction%s)\n",
                    attempts, attempts == 1 ? "" : "s");
    if (Error e = switch_state(store, g_config.node, XenbusStateConnected); !e.ok())
        return fail("writing our state", e.message());
    console::printf("netfront: state Connected; waiting for the backend\n");
    if (Error e = wait_for_backend(store, g_config.backend, XenbusStateConnected, kBackendTimeoutNs, &seen); !e.ok())
        return fail("waiting for the backend to connect", e.message());

    time::also_wake_on(g_port);     // frames and tx answers end the idle wait
    sched::add_device_poll(poll);   // and are collected on every pass of the scheduler
    g_rx.final_check_for_responses();  // ask for a notification at the first frame
    evtchn::notify(g_port);         // the backend looks at our rx pages now
    g_present = true;
    console::printf("netfront: backend Connected; the card is /dev/vif0\n");
    return true;
}

bool present() { return g_present; }

const xenbus::VifConfig& config() { return g_config; }

// [book:receive]
long receive(void* out, size_t n) {
    if (!g_present) return -kEINVAL;
    for (;;) {
        // No frame: ask the backend to notify at the next one, then look once more.
        if (!g_rx.has_responses() && !g_rx.final_check_for_responses()) return -kEAGAIN;
        netif_rx_response rsp = g_rx.take_response();  // a copy: the slot is reused below
        if (rsp.id >= kRxPages || !g_rx_pages[rsp.id].granted) {
            ++g_stats.rx_errors;  // an answer for a page we did not post: a broken backend
            continue;
        }
        Page& page = g_rx_pages[rsp.id];
        if (!end_grant(page)) continue;
        long length = -1;
        if (rsp.status < 0) {
            ++g_stats.rx_errors;
        } else if (rsp.flags & (NETRXF_more_data | NETRXF_extra_info)) {
            ++g_stats.rx_multislot;  // we asked for neither scatter-gather nor GSO
        } else if (rsp.offset + static_cast<size_t>(rsp.status) > kPageSize) {
            ++g_stats.rx_errors;
        } else {
            size_t size = static_cast<size_t>(rsp.status);
            size_t copy = size < n ? size : n;
            if (copy < size) ++g_stats.rx_truncated;
            memcpy(out, page_bytes(page.pfn) + rsp.offset, copy);
            ++g_stats.rx_frames;
            g_stats.rx_bytes += size;
            length = static_cast<long>(copy);
        }
        // The ref just freed is there to take; without one the ring has a page fewer from now on.
        if (!post_rx(rsp.id)) ++g_stats.rx_not_reposted;
        push_rx();
        if (length >= 0) return length;
    }
}
// [book:receive-end]

long transmit(const void* data, size_t n) {
    if (!g_present) return -kEINVAL;
    if (n < kEthernetHeader) return -kEINVAL;
    if (n > kEthernetHeader + g_config.mtu) return -kEMSGSIZE;
    collect_tx();
    if (g_tx_free_count == 0 || g_tx.full()) {
        ++g_stats.tx_ring_full;
        g_tx.final_check_for_responses();  // be told when a slot frees
        return -kEAGAIN;
    }
    uint16_t id = g_tx_free[--g_tx_free_count];
    Page& page = g_tx_pages[id];
    memcpy(page_bytes(page.pfn), data, n);
    if (!grant::table().grant(g_config.backend_id, memory::machine_frame(page.pfn), true, &page.ref)) {
        g_tx_free[g_tx_free_count++] = id;
        ++g_stats.tx_ring_full;
        return -kEAGAIN;
    }
    page.granted = true;
    netif_tx_request& req = g_tx.next_request();
    req.gref = page.ref.value;
    req.offset = 0;
    req.flags = 0;  // one slot, checksums filled in by the sender (we advertised no offload)
    req.id = id;
    req.size = static_cast<uint16_t>(n);
    if (g_tx.push_requests()) evtchn::notify(g_port);
    ++g_stats.tx_frames;
    g_stats.tx_bytes += n;
    return static_cast<long>(n);
}

bool readable() { return g_present && g_rx.has_responses(); }

bool writable() { return g_present && g_tx_free_count > 0 && !g_tx.full(); }

uint64_t changes() { return g_changes; }

void set_on_change(void (*hook)()) { g_on_change = hook; }

const Stats& stats() { return g_stats; }

void print_stats() {
    if (!g_present) return;
    // Said only when not 0: a re-post fails only when no grant ref is free, and the card holds
    // 194 of the table's 2040.
    char reposts[48] = "";
    if (g_stats.rx_not_reposted != 0)
        snformat(reposts, sizeof reposts, ", rx pages not posted again %lu", g_stats.rx_not_reposted);
    console::printf("netfront: rx %lu frames (%lu bytes), tx %lu frames (%lu bytes); errors rx %lu, tx %lu; "
                    "truncated %lu, multi-slot %lu, tx ring full %lu, grants still in use %lu%s\n",
                    g_stats.rx_frames, g_stats.rx_bytes, g_stats.tx_frames, g_stats.tx_bytes, g_stats.rx_errors,
                    g_stats.tx_errors, g_stats.rx_truncated, g_stats.rx_multislot, g_stats.tx_ring_full,
                    g_stats.grants_busy, reposts);
}

}  // namespace kernel::net
