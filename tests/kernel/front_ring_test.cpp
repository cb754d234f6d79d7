// kernel::net::FrontRing: the front end's side of a Xen shared ring, over io/netif.h's tx and rx
// rings, against a scripted backend.  The backend is io/ring.h itself (its BACK_RING macros on
// the same page), and io/ring.h's FRONT_RING macros are the reference the notification rules
// are checked against.
#include "net/front_ring.hpp"

#include "xen.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <algorithm>
#include <random>
#include <vector>

// io/ring.h leaves its barriers to the user (since interface 0x00030208).
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

namespace {

using kernel::net::FrontRing;
using TxRing = FrontRing<netif_tx_sring>;
using RxRing = FrontRing<netif_rx_sring>;

constexpr size_t kPage = 4096;

// A page-aligned page, as the kernel gives each ring.
struct alignas(kPage) Page {
    unsigned char bytes[kPage];
    Page() { memset(bytes, 0xab, sizeof bytes); }  // garbage: init must not rely on zeroes
    template <typename Sring>
    Sring* as() { return reinterpret_cast<Sring*>(bytes); }
};

// The backend (netback's side), with io/ring.h's own macros on the same shared page.
template <typename Sring, typename BackRing>
struct Backend {
    Sring* shared;
    BackRing back{};

    explicit Backend(Sring* s, RING_IDX start = 0) : shared(s) { BACK_RING_ATTACH(&back, s, start, kPage); }

    // Takes every published request; returns how many.
    unsigned take_requests() {
        unsigned n = 0;
        while (RING_HAS_UNCONSUMED_REQUESTS(&back)) {
            ++back.req_cons;
            ++n;
        }
        return n;
    }
    // RING_FINAL_CHECK_FOR_REQUESTS: "notify me at the next request" (req_event = req_cons + 1).
    bool final_check() {
        int more = 0;
        RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        return more != 0;
    }
    // Answers `n` of the requests taken; the fill function writes each response.  Returns
    // whether io/ring.h says the frontend must be notified (it asked via rsp_event).
    template <typename Fill>
    bool respond(unsigned n, Fill fill) {
        for (unsigned i = 0; i < n; ++i) {
            fill(*RING_GET_RESPONSE(&back, back.rsp_prod_pvt), back.rsp_prod_pvt);
            ++back.rsp_prod_pvt;
        }
        int notify = 0;
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
        return notify != 0;
    }
    bool respond(unsigned n) {
        return respond(n, [](auto&, RING_IDX) {});
    }
};
using TxBackend = Backend<netif_tx_sring, netif_tx_back_ring_t>;
using RxBackend = Backend<netif_rx_sring, netif_rx_back_ring_t>;

// Produces `n` requests (contents left as they are) and publishes them; returns
// push_requests()'s verdict: must the backend be notified?
template <typename Ring>
bool produce(Ring& ring, unsigned n) {
    for (unsigned i = 0; i < n; ++i) ring.next_request();
    return ring.push_requests();
}

// Brings a fresh ring's indexes to `target` by ordinary traffic: full batches of requests, all
// answered at once by the backend, all answers consumed.  FrontRing starts every ring at 0 and
// has no way to start elsewhere, so reaching the 2^32 wrap takes 2^32 requests: the test file
// is compiled with optimisation (tests/kernel/CMakeLists.txt) to keep this to a fraction of a
// second.
template <typename Ring, typename Sring>
void drive_to(Ring& ring, Sring* shared, uint32_t target) {
    while (ring.requests_produced() != target) {
        uint32_t n = std::min<uint32_t>(ring.free_requests(), target - ring.requests_produced());
        for (uint32_t i = 0; i < n; ++i) ring.next_request();
        ring.push_requests();
        __atomic_store_n(&shared->rsp_prod, shared->req_prod, __ATOMIC_RELEASE);  // the backend answers all
        if (!ring.has_responses()) break;  // cannot happen; ends the loop if it does
        for (uint32_t i = 0; i < n; ++i) ring.take_response();
    }
}

// io/ring.h's notification rule, spelled out: notify iff event lies in (old, new], mod 2^32.
bool in_half_open(uint32_t event, uint32_t old_prod, uint32_t new_prod) {
    return new_prod != old_prod && uint32_t(event - old_prod - 1) < uint32_t(new_prod - old_prod);
}

// --- sizes and initialisation -----------------------------------------------------------

TEST(FrontRing, APageGives256SlotsForTxAndRx) {
    Page tx_page, rx_page;
    TxRing tx;
    RxRing rx;
    tx.init(tx_page.as<netif_tx_sring>(), kPage);
    rx.init(rx_page.as<netif_rx_sring>(), kPage);
    EXPECT_EQ(tx.size(), 256u);
    EXPECT_EQ(rx.size(), 256u);
    EXPECT_EQ(tx.size(), __CONST_RING_SIZE(netif_tx, kPage));
    EXPECT_EQ(rx.size(), __CONST_RING_SIZE(netif_rx, kPage));
    EXPECT_EQ(tx.free_requests(), 256u);
    EXPECT_EQ(rx.free_requests(), 256u);
}

TEST(FrontRing, SizeIsIoRingHsRoundedDownPowerOfTwoForAnyArea) {
    alignas(kPage) static unsigned char area[3 * kPage];
    auto* s = reinterpret_cast<netif_tx_sring*>(area);
    const size_t first = offsetof(netif_tx_sring, ring) + sizeof s->ring[0];
    for (size_t bytes = first; bytes <= sizeof area; bytes += 7) {
        TxRing r;
        r.init(s, bytes);
        ASSERT_EQ(r.size(), __RING_SIZE(s, bytes)) << bytes << " bytes";
    }
    TxRing two_pages;
    two_pages.init(s, 2 * kPage);
    EXPECT_EQ(two_pages.size(), 512u);
}

TEST(FrontRing, InitSetsTheSharedIndexesAsSharedRingInit) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    EXPECT_EQ(s->req_prod, 0u);
    EXPECT_EQ(s->rsp_prod, 0u);
    EXPECT_EQ(s->req_event, 1u);
    EXPECT_EQ(s->rsp_event, 1u);
    EXPECT_EQ(r.requests_produced(), 0u);
    EXPECT_EQ(r.responses_consumed(), 0u);
    EXPECT_FALSE(r.has_responses());
    EXPECT_FALSE(r.full());
}

TEST(FrontRing, InitAgainStartsOver) {
    Page p;
    auto* s = p.as<netif_rx_sring>();
    RxRing r;
    r.init(s, kPage);
    RxBackend b(s);
    produce(r, 5);
    b.take_requests();
    b.respond(5);
    r.init(s, kPage);
    EXPECT_EQ(s->req_prod, 0u);
    EXPECT_EQ(s->rsp_prod, 0u);
    EXPECT_EQ(r.free_requests(), 256u);
    EXPECT_FALSE(r.has_responses());
}

// --- requests ---------------------------------------------------------------------------

TEST(FrontRing, FreeRequestsCountsSlotsUntilTheirAnswersAreConsumed) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    TxBackend b(s);
    for (unsigned i = 1; i <= 256; ++i) {
        r.next_request();
        ASSERT_EQ(r.free_requests(), 256u - i);
        ASSERT_EQ(r.full(), i == 256);
    }
    r.push_requests();  // publishing does not free anything
    EXPECT_TRUE(r.full());
    EXPECT_EQ(b.take_requests(), 256u);
    b.respond(10);  // answered but not yet consumed: still ours
    EXPECT_TRUE(r.full());
    for (int i = 0; i < 10; ++i) r.take_response();
    EXPECT_EQ(r.free_requests(), 10u);
    EXPECT_FALSE(r.full());
}

TEST(FrontRing, NextRequestWalksTheSlotsInOrderAndWraps) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    TxBackend b(s);
    for (uint32_t i = 0; i < 1000; ++i) {
        ASSERT_EQ(&r.next_request(), &s->ring[i % 256].req) << i;
        ASSERT_EQ(r.requests_produced(), i + 1);
        if (r.full()) {  // let the backend catch up
            r.push_requests();
            b.take_requests();
            b.respond(256);
            while (r.has_responses()) r.take_response();
        }
    }
}

TEST(FrontRing, RequestsReachTheBackendAsWritten) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    TxBackend b(s);
    for (uint16_t i = 0; i < 20; ++i) {
        netif_tx_request& q = r.next_request();
        q = {grant_ref_t(100u + i), uint16_t(i * 2), 0, uint16_t(i), uint16_t(60 + i)};
    }
    EXPECT_FALSE(RING_HAS_UNCONSUMED_REQUESTS(&b.back));  // nothing visible before the push
    r.push_requests();
    for (uint16_t i = 0; i < 20; ++i) {
        ASSERT_TRUE(RING_HAS_UNCONSUMED_REQUESTS(&b.back));
        netif_tx_request q;
        RING_COPY_REQUEST(&b.back, b.back.req_cons, &q);
        ++b.back.req_cons;
        EXPECT_EQ(q.gref, 100u + i);
        EXPECT_EQ(q.offset, i * 2);
        EXPECT_EQ(q.id, i);
        EXPECT_EQ(q.size, 60 + i);
    }
    EXPECT_FALSE(RING_HAS_UNCONSUMED_REQUESTS(&b.back));
}

// --- the notification rule of push_requests ---------------------------------------------

TEST(FrontRing, TheFirstPushNotifiesThenOnlyWhenTheBackendAsksAgain) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    TxBackend b(s);
    EXPECT_TRUE(produce(r, 3));   // req_event 1 lies in (0, 3]
    EXPECT_FALSE(produce(r, 2));  // the backend is busy: it has not asked again
    EXPECT_EQ(b.take_requests(), 5u);
    EXPECT_FALSE(b.final_check());   // idle: req_event = 6
    EXPECT_EQ(s->req_event, 6u);
    EXPECT_TRUE(produce(r, 1));
    EXPECT_FALSE(produce(r, 1));
}

TEST(FrontRing, APushWithNothingNewNeverNotifies) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    EXPECT_FALSE(r.push_requests());  // req_event 1, nothing published
    produce(r, 4);
    for (uint32_t event : {0u, 4u, 5u, 0xffffffffu}) {
        s->req_event = event;
        EXPECT_FALSE(r.push_requests()) << "req_event " << event;
    }
}

// The backend sets req_event anywhere (netback batches: "tell me when there are 8 more"); the
// push from old to new notifies exactly when req_event is in (old, new].
TEST(FrontRing, PushNotifiesIffReqEventLiesInTheNewlyPublishedRange) {
    struct Case {
        uint32_t event_from_old;  // req_event - old
        uint32_t batch;           // new - old
        bool notify;
    };
    const Case cases[] = {
        {0, 4, false},            // == old: the backend already saw that request
        {1, 4, true},             // the first new one
        {4, 4, true},             // == new: the last new one
        {5, 4, false},            // one beyond
        {300, 4, false},          // far ahead
        {uint32_t(-1), 4, false}, // behind old
        {uint32_t(-200), 4, false},
        {1, 1, true},
        {2, 1, false},
        {200, 256, true},
    };
    for (const Case& c : cases) {
        Page p;
        auto* s = p.as<netif_tx_sring>();
        TxRing r;
        r.init(s, kPage);
        TxBackend b(s);
        produce(r, 7);  // old = 7
        b.take_requests();
        b.respond(7);
        while (r.has_responses()) r.take_response();
        const uint32_t old_prod = s->req_prod;
        s->req_event = old_prod + c.event_from_old;
        EXPECT_EQ(produce(r, c.batch), c.notify) << "req_event old+" << int32_t(c.event_from_old) << ", batch " << c.batch;
        EXPECT_EQ(s->req_prod, old_prod + c.batch);
        EXPECT_EQ(in_half_open(s->req_event, old_prod, s->req_prod), c.notify);  // the rule as stated
    }
}

// A long script of batches and backend req_event choices, run on FrontRing and, on a second
// page, on io/ring.h's RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: both must decide alike.
TEST(FrontRing, PushNotifiesExactlyAsRingPushRequestsAndCheckNotify) {
    Page ours_page, ref_page;
    auto* ours_s = ours_page.as<netif_tx_sring>();
    auto* ref_s = ref_page.as<netif_tx_sring>();
    TxRing ours;
    ours.init(ours_s, kPage);
    netif_tx_front_ring_t ref;
    XEN_FRONT_RING_INIT(&ref, ref_s, kPage);
    ASSERT_EQ(ours.size(), RING_SIZE(&ref));

    std::mt19937 rng(2008);
    int notifies = 0, silences = 0;
    for (int step = 0; step < 20000; ++step) {
        // The backend answers and consumes everything from time to time, on both.
        if (rng() % 3 == 0) {
            ours_s->rsp_prod = ours_s->req_prod;
            while (ours.has_responses()) ours.take_response();
            ref_s->rsp_prod = ref_s->req_prod;
            ref.rsp_cons = ref_s->rsp_prod;
        }
        ASSERT_EQ(ours.free_requests(), RING_FREE_REQUESTS(&ref));
        if (ours.full()) continue;
        uint32_t batch = rng() % (ours.free_requests() + 1);  // 0 included
        uint32_t prod = ours_s->req_prod;
        uint32_t event = 0;
        switch (rng() % 6) {
            case 0: event = prod + 1; break;                 // RING_FINAL_CHECK_FOR_REQUESTS
            case 1: event = prod; break;
            case 2: event = prod + batch; break;
            case 3: event = prod + batch + 1; break;
            case 4: event = prod + rng() % 16 - 8; break;
            default: event = rng(); break;
        }
        ours_s->req_event = ref_s->req_event = event;
        for (uint32_t i = 0; i < batch; ++i) ours.next_request();
        ref.req_prod_pvt += batch;
        bool got = ours.push_requests();
        int want = 0;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ref, want);
        ASSERT_EQ(got, want != 0) << "step " << step << ": old " << prod << ", batch " << batch << ", req_event " << event;
        ASSERT_EQ(ours_s->req_prod, ref_s->req_prod);
        (got ? notifies : silences)++;
    }
    EXPECT_GT(notifies, 1000);  // the script exercised both answers
    EXPECT_GT(silences, 1000);
}

// --- responses --------------------------------------------------------------------------

TEST(FrontRing, ResponsesAreTakenInOrderWithTheirContents) {
    Page p;
    auto* s = p.as<netif_rx_sring>();
    RxRing r;
    r.init(s, kPage);
    RxBackend b(s);
    produce(r, 6);
    b.take_requests();
    EXPECT_FALSE(r.has_responses());
    b.respond(4, [](netif_rx_response& rsp, RING_IDX i) {
        rsp = {uint16_t(i + 10), 0, NETRXF_data_validated, int16_t(100 + i)};
    });
    EXPECT_EQ(r.responses_produced(), 4u);
    for (uint16_t i = 0; i < 4; ++i) {
        ASSERT_TRUE(r.has_responses());
        const netif_rx_response& rsp = r.take_response();
        EXPECT_EQ(&rsp, &s->ring[i].rsp);
        EXPECT_EQ(rsp.id, i + 10);
        EXPECT_EQ(rsp.status, 100 + i);
        EXPECT_EQ(r.responses_consumed(), i + 1u);
    }
    EXPECT_FALSE(r.has_responses());
    EXPECT_EQ(r.free_requests(), 256u - 2);  // two requests still unanswered
}

TEST(FrontRing, FinalCheckWithNothingPendingAsksForTheNextResponse) {
    Page p;
    auto* s = p.as<netif_rx_sring>();
    RxRing r;
    r.init(s, kPage);
    RxBackend b(s);
    produce(r, 10);
    b.take_requests();
    b.respond(5);
    while (r.has_responses()) r.take_response();
    s->rsp_event = 0xdeadbeef;
    EXPECT_FALSE(r.final_check_for_responses());
    EXPECT_EQ(s->rsp_event, r.responses_consumed() + 1);
    EXPECT_EQ(s->rsp_event, 6u);
    // The backend's next response now comes with a notification, the one after it without.
    EXPECT_TRUE(b.respond(1));
    EXPECT_FALSE(b.respond(1));
}

TEST(FrontRing, FinalCheckWithAResponseWaitingLeavesRspEventAlone) {
    Page p;
    auto* s = p.as<netif_rx_sring>();
    RxRing r;
    r.init(s, kPage);
    RxBackend b(s);
    produce(r, 3);
    b.take_requests();
    b.respond(2);
    s->rsp_event = 0x1234;
    EXPECT_TRUE(r.final_check_for_responses());
    EXPECT_EQ(s->rsp_event, 0x1234u);  // as RING_FINAL_CHECK_FOR_RESPONSES: breaks out before the store
    EXPECT_EQ(r.responses_consumed(), 0u);  // and consumes nothing
}

// The race final_check_for_responses exists for: a response arrives after the first look but
// before the backend can see the new rsp_event, so no notification will come for it.  The
// shared page is made read-only; the store of rsp_event faults, and the fault handler plays
// the backend: it produces a response, then lets the store go through.
struct SlipIn {
    static inline netif_rx_sring* shared = nullptr;
    static inline int faults = 0;
    static void handler(int, siginfo_t* info, void*) {
        auto* page = reinterpret_cast<unsigned char*>(shared);
        auto* at = static_cast<unsigned char*>(info->si_addr);
        if (at < page || at >= page + kPage || faults > 0) abort();  // not our fault: a real crash
        ++faults;
        mprotect(page, kPage, PROT_READ | PROT_WRITE);
        shared->ring[shared->rsp_prod & 255].rsp = {77, 0, 0, 42};
        __atomic_store_n(&shared->rsp_prod, shared->rsp_prod + 1, __ATOMIC_RELEASE);
    }
};

TEST(FrontRing, FinalCheckSeesAResponseThatSlippedInBeforeRspEventWasSet) {
    void* mem = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED);
    auto* s = static_cast<netif_rx_sring*>(mem);
    RxRing r;
    r.init(s, kPage);
    RxBackend b(s);
    produce(r, 2);
    b.take_requests();
    b.respond(1);
    r.take_response();
    ASSERT_FALSE(r.has_responses());

    SlipIn::shared = s;
    SlipIn::faults = 0;
    struct sigaction sa{}, old{};
    sa.sa_sigaction = SlipIn::handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ASSERT_EQ(sigaction(SIGSEGV, &sa, &old), 0);
    ASSERT_EQ(mprotect(mem, kPage, PROT_READ), 0);
    bool work = r.final_check_for_responses();
    sigaction(SIGSEGV, &old, nullptr);

    EXPECT_EQ(SlipIn::faults, 1);  // the response really came in between
    EXPECT_TRUE(work);             // and the second look found it
    EXPECT_EQ(s->rsp_event, 2u);   // rsp_cons + 1, stored after the handler returned
    ASSERT_TRUE(r.has_responses());
    EXPECT_EQ(r.take_response().id, 77);
    munmap(mem, kPage);
}

// --- the wrap of the free-running indexes at 2^32 ---------------------------------------

TEST(FrontRing, TxIndexesWrapAt2To32) {
    Page p;
    auto* s = p.as<netif_tx_sring>();
    TxRing r;
    r.init(s, kPage);
    const uint32_t start = 0xfffffff0u;
    drive_to(r, s, start);
    ASSERT_EQ(r.requests_produced(), start);
    ASSERT_EQ(r.responses_consumed(), start);
    ASSERT_EQ(s->req_prod, start);
    ASSERT_EQ(r.free_requests(), 256u);
    TxBackend b(s, start);  // io/ring.h's backend, attached where the indexes are now

    // 8 requests, up to 0xfffffff8; the backend asked for a notification at 0xfffffff9: none.
    s->req_event = start + 9;
    for (uint32_t i = 0; i < 8; ++i) {
        netif_tx_request& q = r.next_request();
        ASSERT_EQ(&q, &s->ring[(start + i) & 255].req);
        q.id = uint16_t(i);
    }
    EXPECT_FALSE(r.push_requests());
    // 12 more, across the wrap to 4: req_event 2 (past the wrap) is in (0xfffffff8, 4].
    s->req_event = 2;
    for (uint32_t i = 8; i < 20; ++i) {
        netif_tx_request& q = r.next_request();
        ASSERT_EQ(&q, &s->ring[(start + i) & 255].req) << i;  // slots 0xf8..0xff, then 0x00..
        q.id = uint16_t(i);
    }
    EXPECT_EQ(r.requests_produced(), 4u);
    EXPECT_TRUE(r.push_requests());
    EXPECT_EQ(s->req_prod, 4u);
    EXPECT_EQ(r.free_requests(), 256u - 20);
    // A push from 4 to 6 with req_event 4 (== old) or 0xfffffffa (behind): no.
    s->req_event = 4;
    r.next_request();
    EXPECT_FALSE(r.push_requests());
    s->req_event = 0xfffffffau;
    r.next_request();
    EXPECT_FALSE(r.push_requests());

    // The backend sees all 22 in order, across the wrap.
    for (uint16_t i = 0; i < 20; ++i) {
        ASSERT_TRUE(RING_HAS_UNCONSUMED_REQUESTS(&b.back)) << i;
        EXPECT_EQ(RING_GET_REQUEST(&b.back, b.back.req_cons)->id, i);
        ++b.back.req_cons;
    }
    EXPECT_EQ(b.take_requests(), 2u);
    EXPECT_EQ(b.back.req_cons, 6u);

    // Fill up across the wrap: full at exactly 256 outstanding.
    while (!r.full()) r.next_request();
    EXPECT_EQ(r.requests_produced(), start + 256);  // 0xf0 after the wrap
    EXPECT_EQ(r.free_requests(), 0u);
    r.push_requests();
    EXPECT_EQ(b.take_requests(), 256u - 22);

    // Responses across the wrap: 20 of them, rsp_prod goes from 0xfffffff0 to 4.
    b.respond(20, [](netif_tx_response& rsp, RING_IDX i) { rsp = {uint16_t(i & 0xffff), NETIF_RSP_OKAY}; });
    EXPECT_EQ(s->rsp_prod, 4u);
    for (uint32_t i = 0; i < 20; ++i) {
        ASSERT_TRUE(r.has_responses()) << i;
        const netif_tx_response& rsp = r.take_response();
        EXPECT_EQ(&rsp, &s->ring[(start + i) & 255].rsp);
        EXPECT_EQ(rsp.id, uint16_t((start + i) & 0xffff));
    }
    EXPECT_FALSE(r.has_responses());
    EXPECT_EQ(r.responses_consumed(), 4u);
    EXPECT_EQ(r.free_requests(), 20u);
    EXPECT_FALSE(r.final_check_for_responses());
    EXPECT_EQ(s->rsp_event, 5u);
}

TEST(FrontRing, RxFinalCheckAtTheLastIndexBeforeTheWrapAsksForIndexZero) {
    Page p;
    auto* s = p.as<netif_rx_sring>();
    RxRing r;
    r.init(s, kPage);
    drive_to(r, s, 0xffffffffu);
    ASSERT_EQ(r.responses_consumed(), 0xffffffffu);
    RxBackend b(s, 0xffffffffu);
    EXPECT_FALSE(r.final_check_for_responses());
    EXPECT_EQ(s->rsp_event, 0u);  // rsp_cons + 1, wrapped
    produce(r, 3);
    EXPECT_EQ(s->req_prod, 2u);
    EXPECT_EQ(b.take_requests(), 3u);
    EXPECT_TRUE(b.respond(1));   // 0xffffffff -> 0: rsp_event 0 is in range, the frontend is told
    EXPECT_FALSE(b.respond(1));
    ASSERT_TRUE(r.has_responses());
    r.take_response();
    r.take_response();
    EXPECT_EQ(r.responses_consumed(), 1u);
    EXPECT_FALSE(r.has_responses());
    EXPECT_EQ(r.free_requests(), 255u);
}

}  // namespace
