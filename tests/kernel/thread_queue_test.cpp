// kernel::ThreadQueue<T>: the intrusive FIFO the scheduler and the wait queues use.
#include "thread_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <vector>

namespace {

struct Node {
    int id = 0;
    // Garbage at first: push_back must not rely on the link being clear.
    Node* queue_next = reinterpret_cast<Node*>(0xdeadbeef);
};

using Queue = kernel::ThreadQueue<Node>;

// The queue's contents front to back, following the links from front() without changing them.
std::vector<int> contents(const Queue& q) {
    std::vector<int> ids;
    for (Node* n = q.front(); n; n = n->queue_next) {
        ids.push_back(n->id);
        if (ids.size() > 1000) break;  // a cycle
    }
    return ids;
}

class ThreadQueueTest : public ::testing::Test {
protected:
    Node nodes[6];
    Queue q;
    void SetUp() override {
        for (int i = 0; i < 6; ++i) nodes[i].id = i;
    }
    void push(std::initializer_list<int> ids) {
        for (int i : ids) q.push_back(&nodes[i]);
    }
    std::vector<int> drain() {
        std::vector<int> ids;
        while (Node* n = q.pop_front()) {
            ids.push_back(n->id);
            if (ids.size() > 1000) break;
        }
        return ids;
    }
};

TEST_F(ThreadQueueTest, StartsEmpty) {
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.size(), 0u);
    EXPECT_EQ(q.front(), nullptr);
    EXPECT_EQ(q.pop_front(), nullptr);
    EXPECT_FALSE(q.remove(&nodes[0]));
}

TEST_F(ThreadQueueTest, PopsInPushOrder) {
    push({3, 1, 4, 0, 5});
    EXPECT_FALSE(q.empty());
    EXPECT_EQ(q.size(), 5u);
    EXPECT_EQ(q.front(), &nodes[3]);
    EXPECT_EQ(drain(), (std::vector<int>{3, 1, 4, 0, 5}));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.size(), 0u);
}

TEST_F(ThreadQueueTest, PushClearsTheLinkOfTheNewTail) {
    push({0});
    EXPECT_EQ(nodes[0].queue_next, nullptr);
    push({1});
    EXPECT_EQ(nodes[0].queue_next, &nodes[1]);
    EXPECT_EQ(nodes[1].queue_next, nullptr);
}

TEST_F(ThreadQueueTest, PopClearsTheLinkOfThePoppedNode) {
    push({0, 1});
    Node* n = q.pop_front();
    ASSERT_EQ(n, &nodes[0]);
    EXPECT_EQ(n->queue_next, nullptr);
    EXPECT_EQ(q.front(), &nodes[1]);
    EXPECT_EQ(q.size(), 1u);
}

TEST_F(ThreadQueueTest, EmptiedQueueAcceptsNewNodes) {
    push({0, 1});
    drain();
    push({2, 3});
    EXPECT_EQ(contents(q), (std::vector<int>{2, 3}));
    // Re-queueing a node that was popped is fine too.
    push({0});
    EXPECT_EQ(drain(), (std::vector<int>{2, 3, 0}));
}

TEST_F(ThreadQueueTest, InterleavedPushAndPopKeepFifoOrder) {
    push({0, 1});
    EXPECT_EQ(q.pop_front(), &nodes[0]);
    push({2});
    EXPECT_EQ(q.pop_front(), &nodes[1]);
    EXPECT_EQ(q.pop_front(), &nodes[2]);
    EXPECT_TRUE(q.empty());
    push({3});
    EXPECT_EQ(q.front(), &nodes[3]);
    EXPECT_EQ(q.size(), 1u);
}

TEST_F(ThreadQueueTest, RemoveHead) {
    push({0, 1, 2});
    EXPECT_TRUE(q.remove(&nodes[0]));
    EXPECT_EQ(nodes[0].queue_next, nullptr);
    EXPECT_EQ(q.front(), &nodes[1]);
    EXPECT_EQ(q.size(), 2u);
    push({3});
    EXPECT_EQ(drain(), (std::vector<int>{1, 2, 3}));
}

TEST_F(ThreadQueueTest, RemoveMiddle) {
    push({0, 1, 2});
    EXPECT_TRUE(q.remove(&nodes[1]));
    EXPECT_EQ(nodes[1].queue_next, nullptr);
    EXPECT_EQ(contents(q), (std::vector<int>{0, 2}));
    push({3});
    EXPECT_EQ(drain(), (std::vector<int>{0, 2, 3}));
}

TEST_F(ThreadQueueTest, RemoveTailThenPushLinksAfterTheNewTail) {
    push({0, 1, 2});
    EXPECT_TRUE(q.remove(&nodes[2]));
    EXPECT_EQ(q.size(), 2u);
    // If the tail still pointed at the removed node, 3 would hang off node 2 and be lost.
    push({3});
    EXPECT_EQ(nodes[1].queue_next, &nodes[3]);
    EXPECT_EQ(drain(), (std::vector<int>{0, 1, 3}));
}

TEST_F(ThreadQueueTest, RemoveTheOnlyNodeThenPush) {
    push({4});
    EXPECT_TRUE(q.remove(&nodes[4]));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.front(), nullptr);
    push({5});
    EXPECT_EQ(q.front(), &nodes[5]);
    EXPECT_EQ(drain(), (std::vector<int>{5}));
    EXPECT_EQ(nodes[4].queue_next, nullptr);
}

TEST_F(ThreadQueueTest, RemoveAbsentNodeChangesNothing) {
    push({0, 1, 2});
    EXPECT_FALSE(q.remove(&nodes[3]));
    Node stranger;
    stranger.queue_next = nullptr;
    EXPECT_FALSE(q.remove(&stranger));
    EXPECT_EQ(contents(q), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(q.size(), 3u);
    // Removing twice: the second time it is not queued any more.
    EXPECT_TRUE(q.remove(&nodes[1]));
    EXPECT_FALSE(q.remove(&nodes[1]));
    EXPECT_EQ(contents(q), (std::vector<int>{0, 2}));
}

TEST_F(ThreadQueueTest, RemovingEverythingInAnyOrderLeavesAUsableEmptyQueue) {
    push({0, 1, 2, 3});
    EXPECT_TRUE(q.remove(&nodes[2]));
    EXPECT_TRUE(q.remove(&nodes[0]));
    EXPECT_TRUE(q.remove(&nodes[3]));
    EXPECT_TRUE(q.remove(&nodes[1]));
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.pop_front(), nullptr);
    push({3, 2});
    EXPECT_EQ(drain(), (std::vector<int>{3, 2}));
}

TEST_F(ThreadQueueTest, PopAfterRemovingTheTailEmptiesProperly) {
    push({0, 1});
    EXPECT_TRUE(q.remove(&nodes[1]));
    EXPECT_EQ(q.pop_front(), &nodes[0]);
    EXPECT_TRUE(q.empty());
    push({2});  // the tail must have been reset with the head
    EXPECT_EQ(contents(q), (std::vector<int>{2}));
    EXPECT_EQ(nodes[0].queue_next, nullptr);
}

TEST_F(ThreadQueueTest, MovingANodeBetweenQueues) {
    Queue other;
    push({0, 1, 2});
    ASSERT_TRUE(q.remove(&nodes[1]));
    other.push_back(&nodes[1]);
    EXPECT_EQ(contents(q), (std::vector<int>{0, 2}));
    EXPECT_EQ(contents(other), (std::vector<int>{1}));
    EXPECT_FALSE(other.remove(&nodes[0]));
}

// Random operations against std::deque as the model.
TEST(ThreadQueue, RandomOperationsMatchADeque) {
    constexpr int kNodes = 16;
    Node nodes[kNodes];
    bool queued[kNodes] = {};
    for (int i = 0; i < kNodes; ++i) nodes[i].id = i;
    Queue q;
    std::deque<int> model;
    std::mt19937 rng(7);
    for (int step = 0; step < 5000; ++step) {
        int op = static_cast<int>(rng() % 3);
        int i = static_cast<int>(rng() % kNodes);
        if (op == 0 && !queued[i]) {
            q.push_back(&nodes[i]);
            model.push_back(i);
            queued[i] = true;
        } else if (op == 1) {
            Node* n = q.pop_front();
            if (model.empty()) {
                ASSERT_EQ(n, nullptr);
            } else {
                ASSERT_EQ(n, &nodes[model.front()]) << "step " << step;
                queued[model.front()] = false;
                model.pop_front();
            }
        } else if (op == 2) {
            bool expected = queued[i];
            ASSERT_EQ(q.remove(&nodes[i]), expected) << "step " << step;
            if (expected) {
                model.erase(std::find(model.begin(), model.end(), i));
                queued[i] = false;
            }
        }
        ASSERT_EQ(q.size(), model.size());
        ASSERT_EQ(q.empty(), model.empty());
        ASSERT_EQ(contents(q), std::vector<int>(model.begin(), model.end())) << "step " << step;
    }
}

}  // namespace
