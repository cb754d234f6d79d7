// The bookkeeping of time slices (time/timer.cpp), apart from the timer hypercall so that the
// host tests can check it: when the running slice ends, whether one is running at all, and
// how many ended.  One single-shot timer serves slices and waits, so a wait cancels the slice
// and the next return to Go code arms a fresh one.
// Book: chapter 10-preempt (book/stages/10-preempt.md).
#pragma once

#include <stdint.h>

namespace kernel::time {

class SliceClock {
public:
    // A slice of `length` ns from `now`, unless one is running: the deadline to program into
    // the timer, or 0 when the running slice stays as it is.
    uint64_t arm(uint64_t now, uint64_t length) {
        if (end_ != 0) return 0;
        end_ = now + length;
        return end_;
    }
    // True, once, if the running slice has ended by `now` (a timer event that comes early, or
    // belongs to a wait, is not the end of a slice).
    bool take_end(uint64_t now) {
        if (end_ == 0 || now < end_) return false;
        end_ = 0;
        ++ended_;
        return true;
    }
    // The timer is taken for something else (a wait): no slice is running any more.
    void cancel() { end_ = 0; }

    bool running() const { return end_ != 0; }
    uint64_t ends_at() const { return end_; }
    uint64_t ended() const { return ended_; }

private:
    uint64_t end_ = 0;  // system time the running slice ends; 0: none is running
    uint64_t ended_ = 0;
};

}  // namespace kernel::time
