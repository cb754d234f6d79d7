// Book: chapter 05-futex (book/stages/05-futex.md).
#include "futex_table.hpp"

namespace kernel {

void FutexTable::add(FutexWaiter* waiter) {
    waiter->woken = false;
    waiter->next = nullptr;
    FutexWaiter** link = &buckets_[bucket(waiter->address)];
    while (*link) link = &(*link)->next;  // FIFO: append
    *link = waiter;
}

bool FutexTable::remove(FutexWaiter* waiter) {
    for (FutexWaiter** link = &buckets_[bucket(waiter->address)]; *link; link = &(*link)->next) {
        if (*link == waiter) {
            *link = waiter->next;
            waiter->next = nullptr;
            return true;
        }
    }
    return false;
}

size_t FutexTable::wake(uint64_t address, size_t count, WakeFn wake) {
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
}

size_t FutexTable::waiting(uint64_t address) const {
    size_t n = 0;
    for (FutexWaiter* w = buckets_[bucket(address)]; w; w = w->next)
        if (w->address == address) ++n;
    return n;
}

}  // namespace kernel
