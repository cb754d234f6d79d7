// Virtual memory areas: which ranges of the address space are taken, and with what protection.
//
// An area with PROT_NONE is a reservation: the runtime owns the addresses (Go reserves its heap
// this way, then commits pieces of it with mmap(MAP_FIXED, PROT_READ|PROT_WRITE)), but no page
// may be touched and no frame is used.  An area with access rights is committed: a page gets a
// frame when it is first touched (demand paging; Go's runtime relies on it, malloc.go: "we rely
// on demand paging to avoid large overheads").  A committed area is *charged* -- counted
// against the memory the kernel promises (address_space.hpp) -- unless it was mapped with
// MAP_NORESERVE, Linux's "do not reserve; a write may fault when memory is short".  mprotect
// changes an area's protection without changing what it holds: PROT_NONE over
// committed memory parks it (below), access over a reservation commits it.
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::memory {

inline constexpr uint32_t PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

enum class VmaKind : uint8_t { Anonymous, Kernel };

struct Vma {
    uint64_t start;  // page aligned
    uint64_t end;    // exclusive, page aligned
    uint32_t prot;
    VmaKind kind;
    bool noreserve = false;  // mapped with MAP_NORESERVE: demand-paged, never promised
    // Committed memory that mprotect made PROT_NONE.  Unlike a reservation it keeps its pages'
    // frames (and their contents: Linux's mprotect never discards data) and its charge; no
    // page may be touched until mprotect gives access back (mprotect.cpp).
    bool parked = false;

    uint64_t length() const { return end - start; }
    bool committed() const { return prot != PROT_NONE || parked; }
    bool charged() const { return kind == VmaKind::Anonymous && committed() && !noreserve; }
};

class VmaSet {
public:
    static constexpr size_t kCapacity = 512;

    // The area containing addr, or nullptr.
    const Vma* find(uint64_t addr) const;
    // True if no area overlaps [start, end).
    bool is_free(uint64_t start, uint64_t end) const;
    // Highest page-aligned start s with [s, s + length) free inside [floor, ceiling); 0 if none.
    uint64_t find_gap_top_down(uint64_t length, uint64_t floor, uint64_t ceiling) const;

    // Adds an area that overlaps none (false if it does, or the set is full).  Neighbours with
    // the same protection, kind and noreserve merge, so Go's many adjacent commits stay one area.
    bool insert(const Vma& vma);

    // Removes [start, end) from every area it overlaps, splitting areas that stick out.  For
    // each removed piece calls removed(context, piece).  False (nothing changed) if a split
    // would overflow the set.
    using RemovedFn = void (*)(void* context, const Vma& piece);
    bool remove(uint64_t start, uint64_t end, RemovedFn removed = nullptr, void* context = nullptr);

    size_t count() const { return count_; }
    const Vma& at(size_t i) const { return areas_[i]; }

    // Sums over the areas.
    uint64_t reserved_bytes() const;   // PROT_NONE anonymous areas
    uint64_t committed_bytes() const;  // anonymous areas with access
    uint64_t charged_bytes() const;    // of those, the ones not mapped MAP_NORESERVE

private:
    bool insert_at(size_t index, const Vma& vma);
    void erase_at(size_t index);

    Vma areas_[kCapacity];
    size_t count_ = 0;
};

}  // namespace kernel::memory
