// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "frame_allocator.hpp"

namespace kernel::memory {

void FrameAllocator::init(uint64_t* bitmap, size_t max_frames) {
    bits_ = bitmap;
    max_ = max_frames;
    free_ = 0;
    search_from_ = 0;
    for (size_t i = 0; i < (max_frames + 63) / 64; ++i) bits_[i] = 0;
}

void FrameAllocator::add_free(Pfn first, size_t count) {
    for (uint64_t pfn = first.value; pfn < first.value + count && pfn < max_; ++pfn) {
        uint64_t bit = uint64_t{1} << (pfn % 64);
        if (bits_[pfn / 64] & bit) continue;
        bits_[pfn / 64] |= bit;
        ++free_;
        if (pfn / 64 < search_from_) search_from_ = pfn / 64;
    }
}

bool FrameAllocator::allocate(Pfn* out) {
    size_t words = (max_ + 63) / 64;
    for (size_t w = search_from_; w < words; ++w) {
        if (bits_[w] == 0) continue;
        unsigned bit = static_cast<unsigned>(__builtin_ctzll(bits_[w]));
        bits_[w] &= ~(uint64_t{1} << bit);
        --free_;
        search_from_ = w;
        *out = Pfn{w * 64 + bit};
        return true;
    }
    search_from_ = words;
    return false;
}

bool FrameAllocator::allocate_run(size_t count, Pfn* first) {
    if (count == 0 || count > free_) return false;
    size_t run = 0;
    for (uint64_t pfn = search_from_ * 64; pfn < max_; ++pfn) {
        run = is_free(Pfn{pfn}) ? run + 1 : 0;
        if (run < count) continue;
        uint64_t start = pfn + 1 - count;
        for (uint64_t f = start; f <= pfn; ++f) bits_[f / 64] &= ~(uint64_t{1} << (f % 64));
        free_ -= count;
        *first = Pfn{start};
        return true;
    }
    return false;
}

bool FrameAllocator::free(Pfn pfn) {
    if (pfn.value >= max_ || is_free(pfn)) return false;
    bits_[pfn.value / 64] |= uint64_t{1} << (pfn.value % 64);
    ++free_;
    if (pfn.value / 64 < search_from_) search_from_ = pfn.value / 64;
    return true;
}

bool FrameAllocator::is_free(Pfn pfn) const {
    return pfn.value < max_ && (bits_[pfn.value / 64] >> (pfn.value % 64)) & 1;
}

}  // namespace kernel::memory
