// kernel::FutexTable: the futex wait queues behind FUTEX_WAIT / FUTEX_WAKE, keyed by address.
#include "futex_table.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <deque>
#include <map>
#include <random>
#include <vector>

namespace {

using kernel::FutexTable;
using kernel::FutexWaiter;

// The table's bucket function, restated: the tests below pick addresses by it.
constexpr size_t bucket_of(uint64_t address) { return (address >> 2) % FutexTable::kBuckets; }

// Two futex words that share a bucket (64 words apart) and one that does not.
constexpr uint64_t A = 0x7f0000001000;
constexpr uint64_t B = A + 4 * FutexTable::kBuckets;
constexpr uint64_t C = A + 4;
static_assert(bucket_of(A) == bucket_of(B), "A and B must collide");
static_assert(A != B);
static_assert(bucket_of(A) != bucket_of(C), "C must be in another bucket");

// Stand-ins for threads: the table only passes the pointer through.
struct FakeThread {
    int id;
};

// What the wake callback saw.  The callback is a plain function pointer, so this is global.
struct WakeLog {
    std::vector<void*> threads;
    // For each call: was the waiter of that thread already marked woken (and so, by the
    // table's contract, unlinked) when the callback ran?
    std::vector<bool> woken_at_call;
    std::map<void*, FutexWaiter*> waiter_of;  // filled by the fixture
};
WakeLog* g_log = nullptr;

void record_wake(void* thread) {
    ASSERT_NE(g_log, nullptr);
    g_log->threads.push_back(thread);
    auto it = g_log->waiter_of.find(thread);
    g_log->woken_at_call.push_back(it != g_log->waiter_of.end() && it->second->woken);
}

void must_not_wake(void*) { ADD_FAILURE() << "wake callback called"; }

class FutexTableTest : public ::testing::Test {
protected:
    static constexpr int kWaiters = 8;
    FutexTable table;
    FakeThread threads[kWaiters];
    FutexWaiter waiters[kWaiters];
    WakeLog log;

    void SetUp() override {
        g_log = &log;
        for (int i = 0; i < kWaiters; ++i) {
            threads[i].id = i;
            waiters[i].thread = &threads[i];
            // Garbage: add() must not rely on these being clear.
            waiters[i].woken = true;
            waiters[i].next = reinterpret_cast<FutexWaiter*>(0xdeadbeef);
            log.waiter_of[&threads[i]] = &waiters[i];
        }
    }
    void TearDown() override { g_log = nullptr; }

    // Queues waiter i on address.
    void wait(int i, uint64_t address) {
        waiters[i].address = address;
        table.add(&waiters[i]);
    }
    // Wakes and returns the ids of the threads woken, in callback order.
    std::vector<int> wake(uint64_t address, size_t count) {
        log.threads.clear();
        log.woken_at_call.clear();
        size_t n = table.wake(address, count, record_wake);
        std::vector<int> ids;
        for (void* t : log.threads) ids.push_back(static_cast<FakeThread*>(t)->id);
        EXPECT_EQ(n, ids.size()) << "return value and callback count differ";
        return ids;
    }
};

TEST_F(FutexTableTest, EmptyTable) {
    EXPECT_EQ(table.waiting(A), 0u);
    EXPECT_EQ(table.waiting(0), 0u);
    EXPECT_EQ(table.wake(A, 1, must_not_wake), 0u);
    EXPECT_EQ(table.wake(A, SIZE_MAX, must_not_wake), 0u);
    waiters[0].address = A;
    EXPECT_FALSE(table.remove(&waiters[0]));
}

TEST_F(FutexTableTest, AddClearsWokenAndCountsWaiters) {
    wait(0, A);
    EXPECT_FALSE(waiters[0].woken);
    EXPECT_EQ(waiters[0].next, nullptr);
    EXPECT_EQ(table.waiting(A), 1u);
    wait(1, A);
    wait(2, C);
    EXPECT_EQ(table.waiting(A), 2u);
    EXPECT_EQ(table.waiting(C), 1u);
    EXPECT_EQ(table.waiting(B), 0u) << "B shares A's bucket but nobody waits on it";
}

TEST_F(FutexTableTest, WakeOneAtATimeIsFifo) {
    wait(3, A);
    wait(0, A);
    wait(5, A);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{3}));
    EXPECT_EQ(table.waiting(A), 2u);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{0}));
    EXPECT_EQ(wake(A, 1), (std::vector<int>{5}));
    EXPECT_EQ(table.waiting(A), 0u);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{}));
}

TEST_F(FutexTableTest, WakeAllIsFifo) {
    for (int i : {4, 2, 6, 1}) wait(i, A);
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{4, 2, 6, 1}));
    EXPECT_EQ(table.waiting(A), 0u);
}

TEST_F(FutexTableTest, WakeStopsAtTheCount) {
    for (int i = 0; i < 5; ++i) wait(i, A);
    EXPECT_EQ(wake(A, 2), (std::vector<int>{0, 1}));
    EXPECT_EQ(table.waiting(A), 3u);
    EXPECT_TRUE(waiters[0].woken);
    EXPECT_TRUE(waiters[1].woken);
    for (int i = 2; i < 5; ++i) EXPECT_FALSE(waiters[i].woken) << "waiter " << i;
    // A count larger than the queue wakes everyone left, and reports only those.
    EXPECT_EQ(wake(A, 10), (std::vector<int>{2, 3, 4}));
    EXPECT_EQ(table.waiting(A), 0u);
}

TEST_F(FutexTableTest, WakeWithCountZeroWakesNobody) {
    wait(0, A);
    wait(1, A);
    EXPECT_EQ(table.wake(A, 0, must_not_wake), 0u);
    EXPECT_EQ(table.waiting(A), 2u);
    EXPECT_FALSE(waiters[0].woken);
    EXPECT_FALSE(waiters[1].woken);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{0})) << "the queue is intact";
}

TEST_F(FutexTableTest, WakeOnlyTheMatchingAddressInASharedBucket) {
    wait(0, A);
    wait(1, B);
    wait(2, A);
    wait(3, B);
    wait(4, A);
    EXPECT_EQ(table.waiting(A), 3u);
    EXPECT_EQ(table.waiting(B), 2u);

    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(table.waiting(A), 0u);
    EXPECT_EQ(table.waiting(B), 2u);
    EXPECT_FALSE(waiters[1].woken);
    EXPECT_FALSE(waiters[3].woken);

    EXPECT_EQ(wake(B, SIZE_MAX), (std::vector<int>{1, 3}));
    EXPECT_EQ(table.waiting(B), 0u);
}

TEST_F(FutexTableTest, WakeCountSkipsOtherAddressesWithoutCountingThem) {
    wait(0, B);
    wait(1, A);
    wait(2, B);
    wait(3, A);
    // The B waiters in front must neither be woken nor use up the count.
    EXPECT_EQ(wake(A, 1), (std::vector<int>{1}));
    EXPECT_EQ(wake(A, 1), (std::vector<int>{3}));
    EXPECT_EQ(wake(A, 1), (std::vector<int>{}));
    EXPECT_EQ(table.waiting(B), 2u);
    EXPECT_EQ(wake(B, 1), (std::vector<int>{0}));
    EXPECT_EQ(wake(B, 1), (std::vector<int>{2}));
}

TEST_F(FutexTableTest, WakeOfAnAddressNobodyWaitsOnInABusyBucket) {
    wait(0, A);
    wait(1, A);
    EXPECT_EQ(table.wake(B, SIZE_MAX, must_not_wake), 0u);
    EXPECT_EQ(table.waiting(A), 2u);
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{0, 1}));
}

TEST_F(FutexTableTest, DifferentBucketsAreIndependent) {
    wait(0, A);
    wait(1, C);
    wait(2, A);
    EXPECT_EQ(wake(C, SIZE_MAX), (std::vector<int>{1}));
    EXPECT_EQ(table.waiting(A), 2u);
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{0, 2}));
}

TEST_F(FutexTableTest, WakeMarksWokenUnlinksAndPassesTheThread) {
    wait(0, A);
    wait(1, A);
    EXPECT_EQ(wake(A, 2), (std::vector<int>{0, 1}));
    ASSERT_EQ(log.threads.size(), 2u);
    EXPECT_EQ(log.threads[0], &threads[0]);
    EXPECT_EQ(log.threads[1], &threads[1]);
    // The flag is what FUTEX_WAIT checks when it wakes up: it must be set before the thread
    // can run, that is before the callback.
    EXPECT_EQ(log.woken_at_call, (std::vector<bool>{true, true}));
    EXPECT_TRUE(waiters[0].woken);
    EXPECT_TRUE(waiters[1].woken);
    EXPECT_EQ(waiters[0].next, nullptr);
    EXPECT_EQ(waiters[1].next, nullptr);
}

TEST_F(FutexTableTest, NullThreadIsPassedThrough) {
    waiters[0].thread = nullptr;
    wait(0, A);
    log.threads.clear();
    EXPECT_EQ(table.wake(A, 1, record_wake), 1u);
    EXPECT_EQ(log.threads, (std::vector<void*>{nullptr}));
}

// --- remove (the timeout path) ----------------------------------------------------------------

TEST_F(FutexTableTest, RemoveAQueuedWaiterAfterATimeout) {
    wait(0, A);
    wait(1, A);
    wait(2, A);
    EXPECT_TRUE(table.remove(&waiters[1]));
    EXPECT_FALSE(waiters[1].woken);
    EXPECT_EQ(waiters[1].next, nullptr);
    EXPECT_EQ(table.waiting(A), 2u);
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{0, 2}));
}

TEST_F(FutexTableTest, RemoveHeadAndTail) {
    for (int i = 0; i < 4; ++i) wait(i, A);
    EXPECT_TRUE(table.remove(&waiters[0]));
    EXPECT_TRUE(table.remove(&waiters[3]));
    wait(5, A);  // appended after the new tail
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{1, 2, 5}));
}

TEST_F(FutexTableTest, RemoveAfterBeingWokenReturnsFalse) {
    wait(0, A);
    wait(1, A);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{0}));
    // The timeout raced with the wake and lost: the waiter is gone already.
    EXPECT_FALSE(table.remove(&waiters[0]));
    EXPECT_TRUE(waiters[0].woken);
    EXPECT_EQ(table.waiting(A), 1u);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{1}));
}

TEST_F(FutexTableTest, RemoveTwiceReturnsFalseTheSecondTime) {
    wait(0, A);
    EXPECT_TRUE(table.remove(&waiters[0]));
    EXPECT_FALSE(table.remove(&waiters[0]));
    EXPECT_EQ(table.waiting(A), 0u);
}

TEST_F(FutexTableTest, RemoveInASharedBucketLeavesTheOtherAddressAlone) {
    wait(0, A);
    wait(1, B);
    wait(2, A);
    EXPECT_TRUE(table.remove(&waiters[0]));
    EXPECT_EQ(table.waiting(A), 1u);
    EXPECT_EQ(table.waiting(B), 1u);
    EXPECT_TRUE(table.remove(&waiters[1]));
    EXPECT_EQ(table.waiting(B), 0u);
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{2}));
}

TEST_F(FutexTableTest, RemoveOfAWaiterThatWasNeverAdded) {
    wait(0, A);
    waiters[1].address = A;
    waiters[1].next = nullptr;
    EXPECT_FALSE(table.remove(&waiters[1]));
    EXPECT_EQ(table.waiting(A), 1u);
}

TEST_F(FutexTableTest, AWokenWaiterCanWaitAgain) {
    wait(0, A);
    wait(1, A);
    EXPECT_EQ(wake(A, 1), (std::vector<int>{0}));
    ASSERT_TRUE(waiters[0].woken);
    wait(0, A);  // the same thread waits again: it goes to the back, not woken
    EXPECT_FALSE(waiters[0].woken);
    EXPECT_EQ(wake(A, SIZE_MAX), (std::vector<int>{1, 0}));
}

// Random operations against a per-address FIFO model.
TEST(FutexTable, RandomOperationsMatchAModel) {
    constexpr int kThreads = 24;
    // Three addresses sharing one bucket and one elsewhere.
    const uint64_t addresses[] = {A, B, B + 4 * FutexTable::kBuckets, C};
    static_assert(bucket_of(B + 4 * FutexTable::kBuckets) == bucket_of(A));

    FutexTable table;
    FakeThread threads[kThreads];
    FutexWaiter waiters[kThreads];
    bool queued[kThreads] = {};
    for (int i = 0; i < kThreads; ++i) {
        threads[i].id = i;
        waiters[i].thread = &threads[i];
    }
    std::map<uint64_t, std::deque<int>> model;
    static std::vector<int>* woken_ids;
    std::vector<int> ids;
    woken_ids = &ids;
    auto on_wake = [](void* t) { woken_ids->push_back(static_cast<FakeThread*>(t)->id); };

    std::mt19937 rng(12345);
    for (int step = 0; step < 4000; ++step) {
        int op = static_cast<int>(rng() % 3);
        int i = static_cast<int>(rng() % kThreads);
        uint64_t address = addresses[rng() % 4];
        if (op == 0 && !queued[i]) {
            waiters[i].address = address;
            table.add(&waiters[i]);
            model[address].push_back(i);
            queued[i] = true;
        } else if (op == 1) {
            size_t count = rng() % 4;
            ids.clear();
            size_t n = table.wake(address, count, on_wake);
            std::vector<int> expected;
            auto& q = model[address];
            while (expected.size() < count && !q.empty()) {
                expected.push_back(q.front());
                q.pop_front();
            }
            ASSERT_EQ(ids, expected) << "step " << step;
            ASSERT_EQ(n, expected.size());
            for (int w : expected) {
                ASSERT_TRUE(waiters[w].woken);
                queued[w] = false;
            }
        } else if (op == 2) {
            bool expected = queued[i];
            ASSERT_EQ(table.remove(&waiters[i]), expected) << "step " << step;
            if (expected) {
                auto& q = model[waiters[i].address];
                for (auto it = q.begin(); it != q.end(); ++it)
                    if (*it == i) {
                        q.erase(it);
                        break;
                    }
                queued[i] = false;
            }
        }
        for (uint64_t a : addresses) ASSERT_EQ(table.waiting(a), model[a].size()) << "step " << step;
    }
}

}  // namespace
