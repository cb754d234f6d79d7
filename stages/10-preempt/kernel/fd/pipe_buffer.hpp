// The byte ring inside a pipe: what was written and not yet read, up to kCapacity bytes.
// Book: chapter 06-hello (book/stages/06-hello.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::fd {

class PipeBuffer {
public:
    static constexpr size_t kCapacity = 4096;  // a page, like Linux's minimum pipe size

    size_t used() const { return count_; }
    size_t space() const { return kCapacity - count_; }

    // Copies up to n bytes in / out; returns how many.
    size_t write(const char* data, size_t n) {
        size_t done = 0;
        while (done < n && count_ < kCapacity) {
            buf_[(head_ + count_) % kCapacity] = data[done++];
            ++count_;
        }
        return done;
    }
    size_t read(char* out, size_t n) {
        size_t done = 0;
        while (done < n && count_ > 0) {
            out[done++] = buf_[head_];
            head_ = (head_ + 1) % kCapacity;
            --count_;
        }
        return done;
    }

private:
    char buf_[kCapacity];
    size_t head_ = 0;
    size_t count_ = 0;
};

}  // namespace kernel::fd
