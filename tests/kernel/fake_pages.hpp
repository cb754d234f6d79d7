// A fake PageOps for the host tests of kernel::memory::AddressSpace: it records which pages
// have a frame (and, for stage 09's mprotect, which access each has) against a frame budget.
#pragma once

#include <gtest/gtest.h>

#include <stdint.h>

#include <map>
#include <set>

#include "memory/address_space.hpp"

namespace fake {

using namespace kernel::memory;

// The tests' vocabulary: a page, read-write, a private anonymous mapping.
inline constexpr uint64_t P = 0x1000;
inline constexpr uint32_t RW = PROT_READ | PROT_WRITE;
inline constexpr uint32_t ANON = MAP_PRIVATE | MAP_ANONYMOUS;

// Page tables with a frame budget: map_zeroed takes a frame, unmap gives it back.
class FakePages : public PageOps {
public:
    explicit FakePages(size_t frames) : free_(frames) {}

    bool map_zeroed(uint64_t va, bool writable) override {
        EXPECT_EQ(va % P, 0u) << "map_zeroed of an unaligned address";
        EXPECT_EQ(mapped.count(va), 0u) << "page 0x" << std::hex << va << " mapped twice";
        if (free_ == 0) return false;
        --free_;
        mapped[va] = writable;
        ++maps[va];
        return true;
    }
    bool is_mapped(uint64_t va) override { return mapped.count(va) != 0; }
    bool unmap(uint64_t va) override {
        EXPECT_EQ(va % P, 0u);
        ++unmap_calls;
        if (mapped.erase(va) == 0) return false;
        no_access.erase(va);
        ++unmaps[va];
        ++free_;
        return true;
    }
    size_t free_frames() const override { return free_; }
    // Stage 09's PageOps::protect (mprotect); in the stages before, an unused member.
    bool protect(uint64_t va, uint32_t prot) {
        auto it = mapped.find(va);
        if (it == mapped.end()) return false;
        it->second = (prot & PROT_WRITE) != 0;
        if (prot == PROT_NONE) no_access.insert(va);
        else no_access.erase(va);
        ++protects[va];
        return true;
    }

    bool has(uint64_t va) const { return mapped.count(va) != 0; }

    std::map<uint64_t, bool> mapped;  // va -> writable
    std::map<uint64_t, int> maps;     // how often each page got a fresh frame
    std::map<uint64_t, int> unmaps;   // how often each page's frame was given back
    std::map<uint64_t, int> protects; // how often each page's access was changed
    std::set<uint64_t> no_access;     // pages with a frame that protect made PROT_NONE
    size_t unmap_calls = 0;

private:
    size_t free_;
};

}  // namespace fake
