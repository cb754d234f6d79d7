// Book: chapter 05-futex (book/stages/05-futex.md).
#include "futex_table.hpp"

namespace kernel {

void FutexTable::add(FutexWaiter* waiter) {
    // lab 05-futex begin: FutexTable::add
    waiter->woken = false;
    waiter->next = nullptr;
    FutexWaiter** link = &buckets_[bucket(waiter->address)];
    while (*link) link = &(*link)->next;  // FIFO: append
    *link = waiter;
    // lab 05-futex end
}

bool FutexTable::remove(FutexWaiter* waiter) {
    // lab 05-futex begin: FutexTable::remove
    for (FutexWaiter** link = &buckets_[bucket(waiter->address)]; *link; link = &(*link)->next) {
        if (*link == waiter) {
            *link = waiter->next;
            waiter->next = nullptr;
            return true;
        }
    }
    return false;
    // lab 05-futex end
}

size_t FutexTable::wake(uint64_t address, size_t count, WakeFn wake) {
    // lab 05-futex begin: FutexTable::wake
    size_t woken = 0;
    FutexWaiter** link = &buckets_[bucket(address)];
    while (*link && woken < count) {
        FutexWaiter* w = *link;
        if (w->address != address) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        w->next = nullptr;
        w->woken = true;
        wake(w->thread);
        ++woken;
    }
    return woken;
    // lab 05-futex end
}

size_t FutexTable::waiting(uint64_t address) const {
    size_t n = 0;
    for (FutexWaiter* w = buckets_[bucket(address)]; w; w = w->next)
        if (w->address == address) ++n;
    return n;
}

}  // namespace kernel
