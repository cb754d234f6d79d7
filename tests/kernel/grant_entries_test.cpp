// kernel::grant::Entries: the bookkeeping half of the grant table (which refs are free, what a
// grant writes into its v1 entry, when ending access is refused), over a plain array standing
// in for the table Xen maps.
#include "xenbus/grant_entries.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <vector>

namespace {

using kernel::Mfn;
using kernel::grant::EndResult;
using kernel::grant::Entries;
using kernel::grant::kReserved;
using kernel::grant::Ref;

constexpr domid_t kBackend = 0;
constexpr size_t kTableSize = 32;
constexpr uint16_t kInUseBits[] = {GTF_reading, GTF_writing, GTF_reading | GTF_writing};

// What a table entry holds, comparable in one EXPECT.
struct Entry {
    uint16_t flags;
    domid_t domid;
    uint32_t frame;
    bool operator==(const Entry&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Entry& e) {
    return os << "{flags 0x" << std::hex << e.flags << ", domid " << std::dec << e.domid << ", frame 0x" << std::hex
              << e.frame << std::dec << "}";
}
Entry entry(const grant_entry_v1_t& e) { return {e.flags, e.domid, e.frame}; }

// A table as Xen would map it: entries 0 and 1 already set up by the toolstack (console and
// xenstore rings), the rest filled with a pattern that shows whether anything wrote there.
struct Table {
    std::vector<grant_entry_v1_t> entries;
    std::unique_ptr<Entries> refs = std::make_unique<Entries>();  // ~10 KiB of free list: not on the stack

    explicit Table(size_t count = kTableSize) : entries(count) {
        for (size_t i = 0; i < count; ++i) entries[i] = {0xdead, 0xbeef, 0xcafe0000u + uint32_t(i)};
        if (count > 0) entries[0] = {GTF_permit_access, 0, 0x1234};
        if (count > 1) entries[1] = {GTF_permit_access, 0, 0x5678};
        refs->init(entries.data(), count);
    }
    Ref grant(uint64_t frame, bool readonly = false, domid_t domid = kBackend) {
        Ref r{0xffffffff};
        EXPECT_TRUE(refs->grant(domid, Mfn{frame}, readonly, &r));
        return r;
    }
};

TEST(GrantEntries, InitFreesEverythingButTheReservedRefs) {
    Table t;
    EXPECT_EQ(kReserved, 8u);  // GNTTAB_NR_RESERVED_ENTRIES
    EXPECT_EQ(t.refs->size(), kTableSize);
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved);
}

TEST(GrantEntries, InitLeavesTheTableAsItWas) {
    Table t;
    Table untouched;  // same pattern, for comparison
    for (size_t i = 0; i < kTableSize; ++i) EXPECT_EQ(entry(t.entries[i]), entry(untouched.entries[i])) << "entry " << i;
}

TEST(GrantEntries, InitTakesAtMostMaxEntries) {
    Table t(Entries::kMaxEntries + 100);
    EXPECT_EQ(t.refs->size(), Entries::kMaxEntries);
    EXPECT_EQ(t.refs->free_count(), Entries::kMaxEntries - kReserved);
    size_t granted = 0;
    Ref r{0};
    while (t.refs->grant(kBackend, Mfn{7}, false, &r)) {
        ASSERT_LT(r.value, Entries::kMaxEntries);
        ++granted;
    }
    EXPECT_EQ(granted, Entries::kMaxEntries - kReserved);
    // The entries beyond kMaxEntries were never written.
    for (size_t i = Entries::kMaxEntries; i < t.entries.size(); ++i) ASSERT_EQ(t.entries[i].flags, 0xdead) << i;
}

TEST(GrantEntries, ATableNoBiggerThanTheReservedPartHasNothingToGive) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{kReserved}}) {
        Table t(count);
        EXPECT_EQ(t.refs->free_count(), 0u) << count;
        Ref r{42};
        EXPECT_FALSE(t.refs->grant(kBackend, Mfn{1}, false, &r)) << count;
    }
}

TEST(GrantEntries, RefsAreHandedOutLowestFirstAndNeverReserved) {
    Table t;
    for (uint32_t expected = kReserved; expected < kTableSize; ++expected) EXPECT_EQ(t.grant(0x100 + expected).value, expected);
}

TEST(GrantEntries, AWritableGrantWritesFrameDomidAndPermitAccess) {
    Table t;
    Ref r = t.grant(0x12345, false, 7);
    EXPECT_EQ(entry(t.entries[r.value]), (Entry{GTF_permit_access, 7, 0x12345}));
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved - 1);
}

TEST(GrantEntries, AReadOnlyGrantAddsGtfReadonly) {
    Table t;
    Ref r = t.grant(0xabcde, true, 3);
    EXPECT_EQ(entry(t.entries[r.value]), (Entry{GTF_permit_access | GTF_readonly, 3, 0xabcde}));
}

TEST(GrantEntries, AGrantWritesOnlyItsOwnEntry) {
    Table t;
    Table before;
    Ref r = t.grant(0x999);
    for (size_t i = 0; i < kTableSize; ++i) {
        if (i != r.value) {
            EXPECT_EQ(entry(t.entries[i]), entry(before.entries[i])) << "entry " << i;
        }
    }
}

// The order of the writes is the point of grant() (Xen may act on the entry as soon as the
// flags say GTF_permit_access), and a single thread cannot see it by looking at the result.
// So the table lives on a read-only page: every store into it faults; the SIGSEGV handler
// notes the address, opens the page and sets the trap flag; after the one store the SIGTRAP
// handler closes the page again.  The notes are the entry's stores in program order.
struct StoreLog {
    static inline unsigned char* page = nullptr;
    static inline uintptr_t offsets[16];
    static inline int count = 0;
    static constexpr long kTrapFlag = 0x100;  // EFLAGS.TF

    static void on_segv(int, siginfo_t* info, void* context) {
        auto* at = static_cast<unsigned char*>(info->si_addr);
        if (at < page || at >= page + 4096 || count == 16) abort();  // not a store into the table
        offsets[count++] = uintptr_t(at - page);
        mprotect(page, 4096, PROT_READ | PROT_WRITE);
        static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_EFL] |= kTrapFlag;
    }
    static void on_trap(int, siginfo_t*, void* context) {
        mprotect(page, 4096, PROT_READ);
        static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_EFL] &= ~kTrapFlag;
    }
};

TEST(GrantEntries, GrantWritesFrameAndDomidBeforeTheFlags) {
    void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED);
    auto* table = static_cast<grant_entry_v1_t*>(mem);
    auto refs = std::make_unique<Entries>();
    refs->init(table, 4096 / sizeof(grant_entry_v1_t));
    StoreLog::page = static_cast<unsigned char*>(mem);
    StoreLog::count = 0;

    struct sigaction segv{}, trap{}, old_segv{}, old_trap{};
    segv.sa_sigaction = StoreLog::on_segv;
    trap.sa_sigaction = StoreLog::on_trap;
    segv.sa_flags = trap.sa_flags = SA_SIGINFO;
    sigemptyset(&segv.sa_mask);
    sigemptyset(&trap.sa_mask);
    ASSERT_EQ(sigaction(SIGSEGV, &segv, &old_segv), 0);
    ASSERT_EQ(sigaction(SIGTRAP, &trap, &old_trap), 0);
    ASSERT_EQ(mprotect(mem, 4096, PROT_READ), 0);
    Ref r{0};
    bool ok = refs->grant(5, Mfn{0xabcdef}, true, &r);
    mprotect(mem, 4096, PROT_READ | PROT_WRITE);
    sigaction(SIGSEGV, &old_segv, nullptr);
    sigaction(SIGTRAP, &old_trap, nullptr);

    ASSERT_TRUE(ok);
    EXPECT_EQ(entry(table[r.value]), (Entry{GTF_permit_access | GTF_readonly, 5, 0xabcdef}));
    const uintptr_t base = r.value * sizeof(grant_entry_v1_t);
    const uintptr_t flags_at = base + offsetof(grant_entry_v1_t, flags);
    const uintptr_t domid_at = base + offsetof(grant_entry_v1_t, domid);
    const uintptr_t frame_at = base + offsetof(grant_entry_v1_t, frame);
    ASSERT_GE(StoreLog::count, 2);
    std::vector<uintptr_t> stores(StoreLog::offsets, StoreLog::offsets + StoreLog::count);
    EXPECT_EQ(stores.back(), flags_at);  // the flags last, once
    EXPECT_EQ(std::count(stores.begin(), stores.end(), flags_at), 1);
    // Before them, stores covering frame and domid (the compiler may merge neighbours into one).
    bool frame_before = false, domid_before = false;
    for (size_t i = 0; i + 1 < stores.size(); ++i) {
        EXPECT_GE(stores[i], domid_at) << "store " << i << " at entry offset " << stores[i] - base;
        EXPECT_LE(stores[i], frame_at) << "store " << i;
        frame_before |= stores[i] == frame_at || stores[i] == domid_at;  // a merged store starts at domid
        domid_before |= stores[i] == domid_at;
    }
    EXPECT_TRUE(frame_before);
    EXPECT_TRUE(domid_before);
    munmap(mem, 4096);
}

TEST(GrantEntries, EndAccessClearsTheFlagsAndFreesTheRef) {
    Table t;
    Ref r = t.grant(0x42);
    EXPECT_EQ(t.refs->end_access(r), EndResult::Ended);
    EXPECT_EQ(t.entries[r.value].flags, 0u);  // GTF_invalid: Xen refuses the backend from now on
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved);
}

TEST(GrantEntries, EndAccessIsRefusedWhileTheBackendReadsOrWrites) {
    for (uint16_t busy : kInUseBits) {
        for (bool readonly : {false, true}) {
            Table t;
            Ref r = t.grant(0x42, readonly);
            t.grant(0x43);  // a neighbour, to see that nothing else moves
            t.entries[r.value].flags |= busy;  // what Xen does while it copies
            const Entry busy_entry = entry(t.entries[r.value]);
            const size_t free_before = t.refs->free_count();

            EXPECT_EQ(t.refs->end_access(r), EndResult::InUse) << "bits 0x" << std::hex << busy;
            EXPECT_EQ(entry(t.entries[r.value]), busy_entry);  // untouched: the flags were not cleared
            EXPECT_EQ(t.refs->free_count(), free_before);      // and the ref is still ours
            // Still granted: the next grant picks another ref.
            Ref other = t.grant(0x44);
            EXPECT_NE(other, r);
            // Asking again does not change anything either.
            EXPECT_EQ(t.refs->end_access(r), EndResult::InUse);
            EXPECT_EQ(entry(t.entries[r.value]), busy_entry);

            // The copy finishes: now it ends.
            t.entries[r.value].flags &= static_cast<uint16_t>(~busy);
            EXPECT_EQ(t.refs->end_access(r), EndResult::Ended);
            EXPECT_EQ(t.entries[r.value].flags, 0u);
        }
    }
}

TEST(GrantEntries, AnEndedRefIsReusedBeforeAnyUnusedOne) {
    Table t;
    Ref a = t.grant(1), b = t.grant(2), c = t.grant(3);
    EXPECT_EQ(a.value, kReserved);
    EXPECT_EQ(c.value, kReserved + 2);
    EXPECT_EQ(t.refs->end_access(b), EndResult::Ended);
    Ref again = t.grant(0x77, true, 9);
    EXPECT_EQ(again, b);
    EXPECT_EQ(entry(t.entries[again.value]), (Entry{GTF_permit_access | GTF_readonly, 9, 0x77}));
    EXPECT_EQ(t.grant(4).value, kReserved + 3);  // then the never-used ones, in order
}

TEST(GrantEntries, EndAccessOfAReservedRefIsNotGrantedAndLeavesItAlone) {
    Table t;
    Table before;
    for (uint32_t i = 0; i < kReserved; ++i) {
        EXPECT_EQ(t.refs->end_access(Ref{i}), EndResult::NotGranted) << i;
        EXPECT_EQ(entry(t.entries[i]), entry(before.entries[i])) << i;  // the console's grant survives
    }
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved);
}

TEST(GrantEntries, EndAccessOutOfRangeIsNotGranted) {
    Table t;
    for (uint32_t v : {uint32_t{kTableSize}, uint32_t{kTableSize + 1}, uint32_t{Entries::kMaxEntries},
                       uint32_t{Entries::kMaxEntries + 1}, 0xffffffffu})
        EXPECT_EQ(t.refs->end_access(Ref{v}), EndResult::NotGranted) << v;
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved);
}

TEST(GrantEntries, EndAccessOfANeverGrantedRefIsNotGranted) {
    Table t;
    t.grant(1);
    Ref never{kReserved + 5};
    t.entries[never.value].flags = GTF_permit_access;  // whatever is in the entry: we never granted it
    EXPECT_EQ(t.refs->end_access(never), EndResult::NotGranted);
    EXPECT_EQ(t.entries[never.value].flags, GTF_permit_access);
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved - 1);
}

TEST(GrantEntries, EndingTwiceIsNotGrantedAndDoesNotFreeTheRefTwice) {
    Table t;
    Ref r = t.grant(1);
    ASSERT_EQ(t.refs->end_access(r), EndResult::Ended);
    EXPECT_EQ(t.refs->end_access(r), EndResult::NotGranted);
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved);
    // Were it on the free list twice, two grants would return the same ref.
    std::set<uint32_t> seen;
    Ref out{0};
    while (t.refs->grant(kBackend, Mfn{5}, false, &out)) EXPECT_TRUE(seen.insert(out.value).second) << out.value;
    EXPECT_EQ(seen.size(), kTableSize - kReserved);
}

TEST(GrantEntries, ExhaustionReturnsFalseAndWritesNothing) {
    Table t;
    for (size_t i = kReserved; i < kTableSize; ++i) t.grant(0x1000 + i);
    EXPECT_EQ(t.refs->free_count(), 0u);
    std::vector<grant_entry_v1_t> before = t.entries;
    Ref out{0x5555};
    EXPECT_FALSE(t.refs->grant(kBackend, Mfn{0x2000}, false, &out));
    EXPECT_EQ(t.refs->free_count(), 0u);
    for (size_t i = 0; i < kTableSize; ++i) EXPECT_EQ(entry(t.entries[i]), entry(before[i])) << i;
    // One ended: exactly that one is available again.
    ASSERT_EQ(t.refs->end_access(Ref{20}), EndResult::Ended);
    EXPECT_EQ(t.refs->free_count(), 1u);
    EXPECT_EQ(t.grant(0x3000).value, 20u);
    EXPECT_FALSE(t.refs->grant(kBackend, Mfn{0x2000}, false, &out));
}

TEST(GrantEntries, InitAgainForgetsEveryGrant) {
    Table t;
    t.grant(1);
    t.grant(2);
    t.refs->init(t.entries.data(), kTableSize);
    EXPECT_EQ(t.refs->free_count(), kTableSize - kReserved);
    EXPECT_EQ(t.grant(3).value, kReserved);
}

// A long random mix of grants, busy entries and ends against a model of which refs are held.
TEST(GrantEntries, FreeCountFollowsARandomMixAgainstAModel) {
    Table t;
    std::mt19937 rng(0x08a1);
    std::vector<uint32_t> held;
    std::set<uint32_t> busy;
    for (int step = 0; step < 20000; ++step) {
        switch (rng() % 4) {
            case 0:
            case 1: {  // grant
                Ref r{0};
                uint64_t frame = rng() & 0xfffff;
                bool ro = rng() & 1;
                bool ok = t.refs->grant(kBackend, Mfn{frame}, ro, &r);
                ASSERT_EQ(ok, held.size() < kTableSize - kReserved) << "step " << step;
                if (!ok) break;
                ASSERT_GE(r.value, kReserved);
                ASSERT_LT(r.value, kTableSize);
                ASSERT_EQ(std::count(held.begin(), held.end(), r.value), 0) << "ref " << r.value << " handed out twice";
                ASSERT_EQ(entry(t.entries[r.value]),
                          (Entry{uint16_t(GTF_permit_access | (ro ? GTF_readonly : 0)), kBackend, uint32_t(frame)}));
                held.push_back(r.value);
                break;
            }
            case 2: {  // the backend starts or stops copying
                if (held.empty()) break;
                uint32_t v = held[rng() % held.size()];
                if (busy.erase(v)) {
                    t.entries[v].flags &= static_cast<uint16_t>(~(GTF_reading | GTF_writing));
                } else {
                    t.entries[v].flags |= kInUseBits[rng() % 3];
                    busy.insert(v);
                }
                break;
            }
            case 3: {  // end: a held ref, or occasionally one we do not hold
                if (held.empty() || rng() % 8 == 0) {
                    uint32_t v = rng() % (kTableSize + 4);
                    if (std::count(held.begin(), held.end(), v) == 0) {
                        ASSERT_EQ(t.refs->end_access(Ref{v}), EndResult::NotGranted);
                    }
                    break;
                }
                size_t i = rng() % held.size();
                uint32_t v = held[i];
                EndResult got = t.refs->end_access(Ref{v});
                if (busy.count(v)) {
                    ASSERT_EQ(got, EndResult::InUse) << "step " << step;
                } else {
                    ASSERT_EQ(got, EndResult::Ended) << "step " << step;
                    ASSERT_EQ(t.entries[v].flags, 0u);
                    held.erase(held.begin() + static_cast<long>(i));
                }
                break;
            }
        }
        ASSERT_EQ(t.refs->free_count(), kTableSize - kReserved - held.size()) << "step " << step;
    }
}

}  // namespace
