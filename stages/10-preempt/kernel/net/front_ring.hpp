// The front end's side of a Xen shared ring (xen/include/public/io/ring.h), as a template over
// the ring types io/netif.h declares (netif_tx_sring, netif_rx_sring).
//
// One page holds four free-running 32-bit indexes and a power-of-two array of slots, each a
// request or, once the backend answered, its response.  We produce requests (req_prod) and
// consume responses (rsp_cons, private); the backend does the opposite.  The *_event indexes
// are how both sides avoid needless notifications: "notify me when the producer passes this
// index".  This is our own code for ring.h's RING_* macros, with the same barriers, so the
// host tests can drive it with a scripted backend.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::net {

template <typename Sring>
class FrontRing {
public:
    using Index = uint32_t;  // RING_IDX
    using Request = decltype(static_cast<Sring*>(nullptr)->ring[0].req);
    using Response = decltype(static_cast<Sring*>(nullptr)->ring[0].rsp);

    // SHARED_RING_INIT + FRONT_RING_INIT: zero indexes, "notify me at the first response",
    // and as many slots as fit in `bytes`, rounded down to a power of two (__RING_SIZE).
    void init(Sring* shared, size_t bytes) {
        shared_ = shared;
        shared_->req_prod = shared_->rsp_prod = 0;
        shared_->req_event = shared_->rsp_event = 1;
        size_t slots = (bytes - offsetof(Sring, ring)) / sizeof(shared_->ring[0]);
        size_ = 1;
        while (size_ * 2 <= slots) size_ *= 2;
        req_prod_pvt_ = rsp_cons_ = 0;
    }

    Index size() const { return size_; }
    // Slots neither holding an unanswered request nor an unconsumed response (RING_FREE_REQUESTS).
    Index free_requests() const { return size_ - (req_prod_pvt_ - rsp_cons_); }
    bool full() const { return free_requests() == 0; }

    // The next request slot (RING_GET_REQUEST at req_prod_pvt); the caller fills it in.
    Request& next_request() { return shared_->ring[req_prod_pvt_++ & (size_ - 1)].req; }

    // [book:push-requests]
    // RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: publishes the new requests and says whether the
    // backend asked to be told (it set req_event somewhere in the range we just published).
    bool push_requests() {
        Index old_prod = shared_->req_prod;
        Index new_prod = req_prod_pvt_;
        __atomic_thread_fence(__ATOMIC_RELEASE);  // requests visible before the index (wmb)
        __atomic_store_n(&shared_->req_prod, new_prod, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);  // index visible before we read req_event (mb)
        Index event = __atomic_load_n(&shared_->req_event, __ATOMIC_RELAXED);
        return static_cast<Index>(new_prod - event) < static_cast<Index>(new_prod - old_prod);
    }
    // [book:push-requests-end]

    // RING_HAS_UNCONSUMED_RESPONSES, with the read barrier a consumer needs before the slot.
    bool has_responses() const {
        Index prod = __atomic_load_n(&shared_->rsp_prod, __ATOMIC_ACQUIRE);
        return prod != rsp_cons_;
    }

    // The next response (call only after has_responses()); consumes it.
    const Response& take_response() { return shared_->ring[rsp_cons_++ & (size_ - 1)].rsp; }

    // [book:final-check]
    // RING_FINAL_CHECK_FOR_RESPONSES: before going idle, ask the backend to notify at the next
    // response, then look once more, since one may have arrived before the request was seen.
    // True: there is work after all (no notification will come for it).
    bool final_check_for_responses() {
        if (has_responses()) return true;
        __atomic_store_n(&shared_->rsp_event, rsp_cons_ + 1, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return has_responses();
    }
    // [book:final-check-end]

    // The backend's response producer: a change means new responses (the driver's poll).
    Index responses_produced() const { return __atomic_load_n(&shared_->rsp_prod, __ATOMIC_ACQUIRE); }
    Index requests_produced() const { return req_prod_pvt_; }
    Index responses_consumed() const { return rsp_cons_; }

private:
    Sring* shared_ = nullptr;
    Index size_ = 0;
    Index req_prod_pvt_ = 0;
    Index rsp_cons_ = 0;
};

}  // namespace kernel::net
