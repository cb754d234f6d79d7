// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "heap.hpp"

namespace kernel::heap {

// Header in front of every block.  `size` counts the whole block, header included.
struct Allocator::Block {
    size_t size;
    uint64_t magic;  // kUsed or kFree: catches frees of foreign or already freed pointers
    Block* next;     // free blocks only; overlaps the payload of used blocks
};

namespace {
constexpr size_t kHeader = 16;                 // size + magic; payload starts after them
constexpr size_t kAlign = 16;
constexpr size_t kMinBlock = kHeader + 32;     // don't split off blocks smaller than this
constexpr uint64_t kUsed = 0x55534544'6b686561;  // "kheaUSED"
constexpr uint64_t kFree = 0x46524545'6b686561;  // "kheaFREE"

constexpr uintptr_t round_up(uintptr_t v, size_t a) { return (v + a - 1) & ~(uintptr_t{a} - 1); }
}  // namespace

void Allocator::init(void* base, size_t size) {
    uintptr_t b = round_up(reinterpret_cast<uintptr_t>(base), kAlign);
    uintptr_t e = (reinterpret_cast<uintptr_t>(base) + size) & ~(uintptr_t{kAlign} - 1);
    start_ = b;
    end_ = e;
    free_list_ = nullptr;
    if (e <= b || e - b < kMinBlock) return;
    auto* block = reinterpret_cast<Block*>(b);
    block->size = e - b;
    block->magic = kFree;
    block->next = nullptr;
    free_list_ = block;
}

void* Allocator::allocate(size_t size) {
    if (size == 0) size = 1;
    if (size > end_ - start_) return nullptr;
    size_t need = round_up(size + kHeader, kAlign);
    if (need < kMinBlock) need = kMinBlock;
    for (Block** link = &free_list_; *link != nullptr; link = &(*link)->next) {
        Block* block = *link;
        if (block->size < need) continue;
        if (block->size - need >= kMinBlock) {
            // Split: the tail stays free and takes this block's place in the list.
            auto* rest = reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(block) + need);
            rest->size = block->size - need;
            rest->magic = kFree;
            rest->next = block->next;
            *link = rest;
            block->size = need;
        } else {
            *link = block->next;
        }
        block->magic = kUsed;
        return reinterpret_cast<char*>(block) + kHeader;
    }
    return nullptr;
}

bool Allocator::free(void* p) {
    if (p == nullptr) return true;
    auto addr = reinterpret_cast<uintptr_t>(p);
    if (addr < start_ + kHeader || addr >= end_ || addr % kAlign != 0) return false;
    auto* block = reinterpret_cast<Block*>(addr - kHeader);
    if (block->magic != kUsed) return false;
    block->magic = kFree;

    // Insert in address order, then merge with the neighbours that touch it.
    Block* prev = nullptr;
    Block* next = free_list_;
    while (next != nullptr && next < block) {
        prev = next;
        next = next->next;
    }
    block->next = next;
    if (prev) prev->next = block;
    else free_list_ = block;

    auto end_of = [](Block* b) { return reinterpret_cast<uintptr_t>(b) + b->size; };
    if (next != nullptr && end_of(block) == reinterpret_cast<uintptr_t>(next)) {
        block->size += next->size;
        block->next = next->next;
        next->magic = 0;
    }
    if (prev != nullptr && end_of(prev) == reinterpret_cast<uintptr_t>(block)) {
        prev->size += block->size;
        prev->next = block->next;
        block->magic = 0;
    }
    return true;
}

size_t Allocator::free_bytes() const {
    size_t total = 0;
    for (Block* b = free_list_; b; b = b->next) total += b->size - kHeader;
    return total;
}

size_t Allocator::largest_free() const {
    size_t best = 0;
    for (Block* b = free_list_; b; b = b->next)
        if (b->size - kHeader > best) best = b->size - kHeader;
    return best;
}

size_t Allocator::block_count() const {
    size_t n = 0;
    for (Block* b = free_list_; b; b = b->next) ++n;
    return n;
}

}  // namespace kernel::heap
