// Threads sleeping until a deadline, earliest first.
//
// Linked through the threads (T::timer_next, T::deadline), like ThreadQueue: a sleeping
// thread is in its wait queue (futex, mutex, ...) and in this queue at the same time, so the
// two use different link fields.  Threads with equal deadlines keep their insertion order.
// Book: chapter 05-futex (book/stages/05-futex.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::time {

template <typename T>
class TimerQueue {
public:
    bool empty() const { return head_ == nullptr; }
    T* earliest() const { return head_; }
    size_t size() const {
        size_t n = 0;
        for (T* t = head_; t; t = t->timer_next) ++n;
        return n;
    }

    void insert(T* t) {
        T** link = &head_;
        while (*link && (*link)->deadline <= t->deadline) link = &(*link)->timer_next;
        t->timer_next = *link;
        *link = t;
    }

    bool remove(T* t) {
        for (T** link = &head_; *link; link = &(*link)->timer_next) {
            if (*link == t) {
                *link = t->timer_next;
                t->timer_next = nullptr;
                return true;
            }
        }
        return false;
    }

    // The earliest thread whose deadline is at or before now, taken out; nullptr if none.
    T* pop_expired(uint64_t now) {
        if (!head_ || head_->deadline > now) return nullptr;
        T* t = head_;
        head_ = t->timer_next;
        t->timer_next = nullptr;
        return t;
    }

private:
    T* head_ = nullptr;
};

}  // namespace kernel::time
