// Futex wait queues, keyed by address.
//
// FUTEX_WAIT puts the calling thread on the queue of the futex word's address and sleeps;
// FUTEX_WAKE wakes up to n threads waiting on that address, in the order they started to
// wait (Linux does not promise an order; FIFO is the fair choice).  Go's runtime uses one futex
// per M (note.key in lock_futex.go) and one per lock.
//
// A waiter lives on the waiting thread's own stack for as long as it waits, so the table
// needs no memory of its own.  Waking is a callback, so the table can be tested on the host.
// Book: chapter 05-futex (book/stages/05-futex.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel {

struct FutexWaiter {
    uint64_t address = 0;
    void* thread = nullptr;
    bool woken = false;
    FutexWaiter* next = nullptr;
};

class FutexTable {
public:
    static constexpr size_t kBuckets = 64;

    void add(FutexWaiter* waiter);
    // Takes a waiter out (after a timeout); false if it was not queued (already woken).
    bool remove(FutexWaiter* waiter);
    // Wakes up to `count` waiters on `address`: marks them woken, unlinks them and calls
    // wake(thread) for each.  Returns how many were woken.
    using WakeFn = void (*)(void* thread);
    size_t wake(uint64_t address, size_t count, WakeFn wake);
    size_t waiting(uint64_t address) const;

private:
    static size_t bucket(uint64_t address) { return (address >> 2) % kBuckets; }
    FutexWaiter* buckets_[kBuckets] = {};
};

}  // namespace kernel
