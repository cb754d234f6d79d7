// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "vma.hpp"

namespace kernel::memory {

const Vma* VmaSet::find(uint64_t addr) const {
    size_t lo = 0, hi = count_;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (areas_[mid].end <= addr) lo = mid + 1;
        else if (areas_[mid].start > addr) hi = mid;
        else return &areas_[mid];
    }
    return nullptr;
}

bool VmaSet::is_free(uint64_t start, uint64_t end) const {
    for (size_t i = 0; i < count_; ++i)
        if (areas_[i].start < end && start < areas_[i].end) return false;
    return true;
}

uint64_t VmaSet::find_gap_top_down(uint64_t length, uint64_t floor, uint64_t ceiling) const {
    if (length == 0 || ceiling < floor || ceiling - floor < length) return 0;
    uint64_t top = ceiling;  // the candidate gap ends here
    for (size_t i = count_; i-- > 0;) {
        const Vma& a = areas_[i];
        if (a.start >= top) continue;  // wholly above the candidate gap
        uint64_t bottom = a.end > floor ? a.end : floor;
        if (a.end < top && top - bottom >= length) return top - length;  // fits in [a.end, top)
        top = a.start;  // keep looking below this area
        if (top < floor + length) return 0;
    }
    return top - floor >= length ? top - length : 0;
}

bool VmaSet::insert_at(size_t index, const Vma& vma) {
    if (count_ == kCapacity) return false;
    for (size_t i = count_; i > index; --i) areas_[i] = areas_[i - 1];
    areas_[index] = vma;
    ++count_;
    return true;
}

void VmaSet::erase_at(size_t index) {
    for (size_t i = index; i + 1 < count_; ++i) areas_[i] = areas_[i + 1];
    --count_;
}

bool VmaSet::insert(const Vma& vma) {
    if (vma.start >= vma.end || !is_free(vma.start, vma.end)) return false;
    size_t index = 0;
    while (index < count_ && areas_[index].start < vma.start) ++index;
    auto same = [&](const Vma& a) { return a.prot == vma.prot && a.kind == vma.kind && a.noreserve == vma.noreserve &&
                                             a.parked == vma.parked; };
    bool merge_prev = index > 0 && areas_[index - 1].end == vma.start && same(areas_[index - 1]);
    bool merge_next = index < count_ && areas_[index].start == vma.end && same(areas_[index]);
    if (merge_prev && merge_next) {
        areas_[index - 1].end = areas_[index].end;
        erase_at(index);
        return true;
    }
    if (merge_prev) {
        areas_[index - 1].end = vma.end;
        return true;
    }
    if (merge_next) {
        areas_[index].start = vma.start;
        return true;
    }
    return insert_at(index, vma);
}

bool VmaSet::remove(uint64_t start, uint64_t end, RemovedFn removed, void* context) {
    if (start >= end) return true;
    // A range strictly inside one area splits it in two: one more slot needed.
    const Vma* inside = find(start);
    if (inside && inside->start < start && inside->end > end && count_ == kCapacity) return false;
    for (size_t i = 0; i < count_;) {
        Vma a = areas_[i];
        if (a.end <= start || a.start >= end) {
            ++i;
            continue;
        }
        uint64_t cut_start = a.start > start ? a.start : start;
        uint64_t cut_end = a.end < end ? a.end : end;
        if (removed) {
            Vma piece = a;
            piece.start = cut_start;
            piece.end = cut_end;
            removed(context, piece);
        }
        if (a.start < cut_start && a.end > cut_end) {
            areas_[i].end = cut_start;
            Vma rest = a;
            rest.start = cut_end;
            insert_at(i + 1, rest);
            return true;
        }
        if (a.start < cut_start) {
            areas_[i].end = cut_start;
            ++i;
        } else if (a.end > cut_end) {
            areas_[i].start = cut_end;
            ++i;
        } else {
            erase_at(i);
        }
    }
    return true;
}

uint64_t VmaSet::reserved_bytes() const {
    uint64_t total = 0;
    for (size_t i = 0; i < count_; ++i)
        if (areas_[i].kind == VmaKind::Anonymous && !areas_[i].committed()) total += areas_[i].length();
    return total;
}

uint64_t VmaSet::committed_bytes() const {
    uint64_t total = 0;
    for (size_t i = 0; i < count_; ++i)
        if (areas_[i].kind == VmaKind::Anonymous && areas_[i].committed()) total += areas_[i].length();
    return total;
}

uint64_t VmaSet::charged_bytes() const {
    uint64_t total = 0;
    for (size_t i = 0; i < count_; ++i)
        if (areas_[i].charged()) total += areas_[i].length();
    return total;
}

}  // namespace kernel::memory
