// A FIFO of threads, linked through the threads themselves (no allocation).
//
// A thread is in at most one queue at a time: the run queue while it is runnable, or the wait
// queue of the mutex, condition variable or (later) futex it sleeps on.  So one link field in
// the thread suffices, and moving a thread between queues cannot fail.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stddef.h>

namespace kernel {

template <typename T>
class ThreadQueue {
public:
    bool empty() const { return head_ == nullptr; }
    size_t size() const {
        size_t n = 0;
        for (T* t = head_; t; t = t->queue_next) ++n;
        return n;
    }
    T* front() const { return head_; }

    void push_back(T* t) {
        t->queue_next = nullptr;
        if (tail_) tail_->queue_next = t;
        else head_ = t;
        tail_ = t;
    }

    T* pop_front() {
        T* t = head_;
        if (!t) return nullptr;
        head_ = t->queue_next;
        if (!head_) tail_ = nullptr;
        t->queue_next = nullptr;
        return t;
    }

    // Takes t out wherever it is; false if it was not queued here.
    bool remove(T* t) {
        T* prev = nullptr;
        for (T* cur = head_; cur; prev = cur, cur = cur->queue_next) {
            if (cur != t) continue;
            if (prev) prev->queue_next = cur->queue_next;
            else head_ = cur->queue_next;
            if (tail_ == cur) tail_ = prev;
            cur->queue_next = nullptr;
            return true;
        }
        return false;
    }

private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

}  // namespace kernel
