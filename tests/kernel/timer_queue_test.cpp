// kernel::time::TimerQueue<T>: threads sleeping until a deadline, earliest first.
#include "time/timer_queue.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

struct Sleeper {
    int id = 0;
    // Garbage at first: insert must not rely on the link being clear.
    Sleeper* timer_next = reinterpret_cast<Sleeper*>(0xdeadbeef);
    uint64_t deadline = 0;
};

using Queue = kernel::time::TimerQueue<Sleeper>;

// The queue's contents front to back, following the links without changing them.
std::vector<int> contents(const Queue& q) {
    std::vector<int> ids;
    for (Sleeper* s = q.earliest(); s; s = s->timer_next) {
        ids.push_back(s->id);
        if (ids.size() > 1000) break;  // a cycle
    }
    return ids;
}

class TimerQueueTest : public ::testing::Test {
protected:
    static constexpr int kSleepers = 8;
    Sleeper s[kSleepers];
    Queue q;

    void SetUp() override {
        for (int i = 0; i < kSleepers; ++i) s[i].id = i;
    }
    void insert(int i, uint64_t deadline) {
        s[i].deadline = deadline;
        q.insert(&s[i]);
    }
    std::vector<int> pop_all_expired(uint64_t now) {
        std::vector<int> ids;
        while (Sleeper* e = q.pop_expired(now)) {
            ids.push_back(e->id);
            if (ids.size() > 1000) break;
        }
        return ids;
    }
};

TEST_F(TimerQueueTest, StartsEmpty) {
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.size(), 0u);
    EXPECT_EQ(q.earliest(), nullptr);
    EXPECT_EQ(q.pop_expired(0), nullptr);
    EXPECT_EQ(q.pop_expired(UINT64_MAX), nullptr);
    EXPECT_FALSE(q.remove(&s[0]));
}

TEST_F(TimerQueueTest, InsertKeepsDeadlinesSorted) {
    insert(0, 50);
    insert(1, 10);
    insert(2, 30);
    insert(3, 40);
    insert(4, 20);
    insert(5, 60);
    EXPECT_EQ(contents(q), (std::vector<int>{1, 4, 2, 3, 0, 5}));
    EXPECT_EQ(q.size(), 6u);
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.earliest(), &s[1]);
}

TEST_F(TimerQueueTest, InsertEarlierThanEverythingBecomesTheHead) {
    insert(0, 100);
    EXPECT_EQ(q.earliest(), &s[0]);
    EXPECT_EQ(s[0].timer_next, nullptr);
    insert(1, 99);
    EXPECT_EQ(q.earliest(), &s[1]);
    insert(2, 0);
    EXPECT_EQ(q.earliest(), &s[2]);
    EXPECT_EQ(contents(q), (std::vector<int>{2, 1, 0}));
}

TEST_F(TimerQueueTest, InsertLaterThanEverythingBecomesTheTail) {
    insert(0, 1);
    insert(1, 2);
    insert(2, UINT64_MAX);
    EXPECT_EQ(contents(q), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(s[2].timer_next, nullptr);
}

TEST_F(TimerQueueTest, EqualDeadlinesKeepInsertionOrder) {
    insert(0, 10);
    insert(1, 10);
    insert(2, 5);
    insert(3, 10);
    insert(4, 20);
    insert(5, 10);
    EXPECT_EQ(contents(q), (std::vector<int>{2, 0, 1, 3, 5, 4}));
    EXPECT_EQ(pop_all_expired(10), (std::vector<int>{2, 0, 1, 3, 5}));
}

TEST_F(TimerQueueTest, EqualDeadlinesAtTheHeadKeepInsertionOrder) {
    insert(0, 7);
    insert(1, 7);
    insert(2, 7);
    EXPECT_EQ(q.earliest(), &s[0]);
    EXPECT_EQ(contents(q), (std::vector<int>{0, 1, 2}));
}

TEST_F(TimerQueueTest, RemoveHead) {
    insert(0, 10);
    insert(1, 20);
    insert(2, 30);
    EXPECT_TRUE(q.remove(&s[0]));
    EXPECT_EQ(s[0].timer_next, nullptr);
    EXPECT_EQ(q.earliest(), &s[1]);
    EXPECT_EQ(contents(q), (std::vector<int>{1, 2}));
    EXPECT_EQ(q.size(), 2u);
}

TEST_F(TimerQueueTest, RemoveMiddle) {
    insert(0, 10);
    insert(1, 20);
    insert(2, 30);
    EXPECT_TRUE(q.remove(&s[1]));
    EXPECT_EQ(s[1].timer_next, nullptr);
    EXPECT_EQ(contents(q), (std::vector<int>{0, 2}));
}

TEST_F(TimerQueueTest, RemoveTail) {
    insert(0, 10);
    insert(1, 20);
    insert(2, 30);
    EXPECT_TRUE(q.remove(&s[2]));
    EXPECT_EQ(contents(q), (std::vector<int>{0, 1}));
    EXPECT_EQ(s[1].timer_next, nullptr);
    insert(3, 25);  // a new tail links after the remaining one
    EXPECT_EQ(contents(q), (std::vector<int>{0, 1, 3}));
}

TEST_F(TimerQueueTest, RemoveTheOnlySleeper) {
    insert(0, 10);
    EXPECT_TRUE(q.remove(&s[0]));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.earliest(), nullptr);
    EXPECT_EQ(q.pop_expired(UINT64_MAX), nullptr);
}

TEST_F(TimerQueueTest, RemoveAbsentChangesNothing) {
    insert(0, 10);
    insert(1, 20);
    s[2].deadline = 15;
    s[2].timer_next = nullptr;
    EXPECT_FALSE(q.remove(&s[2]));
    EXPECT_EQ(contents(q), (std::vector<int>{0, 1}));
    // Twice: the second time it is gone.
    EXPECT_TRUE(q.remove(&s[1]));
    EXPECT_FALSE(q.remove(&s[1]));
    EXPECT_EQ(contents(q), (std::vector<int>{0}));
}

TEST_F(TimerQueueTest, RemoveOneOfEqualDeadlines) {
    insert(0, 10);
    insert(1, 10);
    insert(2, 10);
    EXPECT_TRUE(q.remove(&s[1]));
    EXPECT_EQ(contents(q), (std::vector<int>{0, 2}));
    insert(1, 10);  // back in, after the others with its deadline
    EXPECT_EQ(contents(q), (std::vector<int>{0, 2, 1}));
}

TEST_F(TimerQueueTest, PopExpiredTakesOnlyDeadlinesAtOrBeforeNow) {
    insert(0, 30);
    insert(1, 10);
    insert(2, 20);
    insert(3, 20);
    insert(4, 40);

    EXPECT_EQ(q.pop_expired(9), nullptr);
    EXPECT_EQ(q.size(), 5u);

    Sleeper* first = q.pop_expired(10);  // deadline == now is expired
    ASSERT_EQ(first, &s[1]);
    EXPECT_EQ(first->timer_next, nullptr);
    EXPECT_EQ(q.pop_expired(10), nullptr);

    EXPECT_EQ(pop_all_expired(29), (std::vector<int>{2, 3}));
    EXPECT_EQ(q.earliest(), &s[0]);
    EXPECT_EQ(q.size(), 2u);

    EXPECT_EQ(pop_all_expired(35), (std::vector<int>{0}));
    EXPECT_EQ(pop_all_expired(UINT64_MAX), (std::vector<int>{4}));
    EXPECT_TRUE(q.empty());
}

TEST_F(TimerQueueTest, PopExpiredClearsTheLink) {
    insert(0, 1);
    insert(1, 2);
    Sleeper* e = q.pop_expired(5);
    ASSERT_EQ(e, &s[0]);
    EXPECT_EQ(e->timer_next, nullptr);
    EXPECT_EQ(q.earliest(), &s[1]);
}

TEST_F(TimerQueueTest, DeadlineZeroExpiresAtTimeZero) {
    insert(0, 0);
    insert(1, 1);
    EXPECT_EQ(pop_all_expired(0), (std::vector<int>{0}));
    EXPECT_EQ(q.size(), 1u);
}

TEST_F(TimerQueueTest, InsertAfterPoppingAndRemoving) {
    insert(0, 10);
    insert(1, 20);
    insert(2, 30);
    ASSERT_EQ(q.pop_expired(10), &s[0]);
    ASSERT_TRUE(q.remove(&s[2]));
    insert(0, 25);
    insert(2, 5);
    EXPECT_EQ(contents(q), (std::vector<int>{2, 1, 0}));
    EXPECT_EQ(q.size(), 3u);
}

TEST_F(TimerQueueTest, SizeFollowsInsertsAndRemovals) {
    for (int i = 0; i < kSleepers; ++i) {
        insert(i, static_cast<uint64_t>(100 - i));
        EXPECT_EQ(q.size(), static_cast<size_t>(i + 1));
    }
    for (int i = 0; i < kSleepers; ++i) {
        ASSERT_TRUE(q.remove(&s[i]));
        EXPECT_EQ(q.size(), static_cast<size_t>(kSleepers - i - 1));
    }
    EXPECT_TRUE(q.empty());
}

// Random operations against a model: a list sorted stably by deadline.
TEST(TimerQueue, RandomOperationsMatchAStableSortedList) {
    constexpr int kSleepers = 20;
    Sleeper s[kSleepers];
    for (int i = 0; i < kSleepers; ++i) s[i].id = i;
    bool queued[kSleepers] = {};
    Queue q;
    std::vector<int> model;  // ids, sorted by deadline, ties in insertion order
    std::mt19937_64 rng(99);
    uint64_t now = 0;
    for (int step = 0; step < 5000; ++step) {
        int op = static_cast<int>(rng() % 4);
        int i = static_cast<int>(rng() % kSleepers);
        if (op == 0 && !queued[i]) {
            s[i].deadline = now + rng() % 50;  // small range: many ties
            q.insert(&s[i]);
            auto pos = std::upper_bound(model.begin(), model.end(), s[i].deadline,
                                        [&](uint64_t d, int id) { return d < s[id].deadline; });
            model.insert(pos, i);
            queued[i] = true;
        } else if (op == 1) {
            bool expected = queued[i];
            ASSERT_EQ(q.remove(&s[i]), expected) << "step " << step;
            if (expected) {
                model.erase(std::find(model.begin(), model.end(), i));
                queued[i] = false;
            }
        } else if (op == 2) {
            now += rng() % 10;
            while (Sleeper* e = q.pop_expired(now)) {
                ASSERT_FALSE(model.empty()) << "step " << step;
                ASSERT_EQ(e, &s[model.front()]) << "step " << step;
                ASSERT_LE(e->deadline, now);
                queued[model.front()] = false;
                model.erase(model.begin());
            }
            if (!model.empty()) {
                ASSERT_GT(s[model.front()].deadline, now) << "step " << step;
            }
        }
        ASSERT_EQ(q.size(), model.size());
        ASSERT_EQ(contents(q), model) << "step " << step;
        ASSERT_EQ(q.earliest(), model.empty() ? nullptr : &s[model.front()]);
    }
}

}  // namespace
