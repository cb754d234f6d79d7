// kernel::fd::EpollSet: an epoll instance's interest list and the events collect() reports,
// against a fake readiness callback.
#include "fd/epoll_set.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <map>
#include <memory>
#include <ostream>
#include <vector>

namespace {

using kernel::fd::EPOLL_CTL_ADD;
using kernel::fd::EPOLL_CTL_DEL;
using kernel::fd::EPOLL_CTL_MOD;
using kernel::fd::EPOLLERR;
using kernel::fd::EPOLLET;
using kernel::fd::EPOLLHUP;
using kernel::fd::EPOLLIN;
using kernel::fd::EPOLLOUT;
using kernel::fd::EPOLLRDHUP;
using kernel::fd::EpollEvent;
using kernel::fd::EpollSet;
using Readiness = EpollSet::Readiness;

constexpr long ENOENT_ = -2, EEXIST_ = -17, EINVAL_ = -22, ENOSPC_ = -28;

// An event as reported, copied out of the packed struct.
struct Got {
    uint32_t events;
    uint64_t data;
    bool operator==(const Got&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Got& g) {
    return os << "{events 0x" << std::hex << g.events << ", data 0x" << g.data << std::dec << "}";
}

// The descriptors' states, as the fd layer would report them.
struct FakeFds {
    std::map<int, Readiness> state;  // absent: not ready, never changed
    std::vector<int> asked;          // the fds collect() asked about, in order

    // Something happened to fd (data arrived, peer closed...): it is now `events`.
    void change(int fd, uint32_t events) {
        Readiness& r = state[fd];
        r.events = events;
        ++r.changes;
    }
};

Readiness fake_readiness(void* context, int fd) {
    auto* fds = static_cast<FakeFds*>(context);
    fds->asked.push_back(fd);
    auto it = fds->state.find(fd);
    if (it == fds->state.end()) return Readiness{0, 0};
    return it->second;
}

class EpollSetTest : public ::testing::Test {
protected:
    std::unique_ptr<EpollSet> owner = std::make_unique<EpollSet>();
    EpollSet& set = *owner;
    FakeFds fds;

    long add(int fd, uint32_t events, uint64_t data) {
        EpollEvent ev{events, data};
        return set.control(EPOLL_CTL_ADD, fd, &ev);
    }
    long mod(int fd, uint32_t events, uint64_t data) {
        EpollEvent ev{events, data};
        return set.control(EPOLL_CTL_MOD, fd, &ev);
    }
    long del(int fd) { return set.control(EPOLL_CTL_DEL, fd, nullptr); }

    std::vector<Got> collect(size_t max = EpollSet::kCapacity) {
        std::vector<EpollEvent> out(max + 1, EpollEvent{0xdeadbeef, 0xdeadbeefdeadbeef});
        size_t n = set.collect(fake_readiness, &fds, out.data(), max);
        EXPECT_LE(n, max);
        std::vector<Got> got;
        for (size_t i = 0; i < n && i < out.size(); ++i) got.push_back(Got{out[i].events, out[i].data});
        // Nothing written past what was returned.
        for (size_t i = n; i < out.size(); ++i) {
            uint32_t e = out[i].events;
            EXPECT_EQ(e, 0xdeadbeefu) << "collect wrote slot " << i << " but returned " << n;
        }
        return got;
    }
    // The same events regardless of order.
    static std::vector<Got> sorted(std::vector<Got> v) {
        std::sort(v.begin(), v.end(), [](const Got& a, const Got& b) { return a.data < b.data; });
        return v;
    }
};

// --- the ABI -----------------------------------------------------------------------------------

TEST(EpollEvent, IsPackedTwelveBytesLikeLinuxOnX86_64) {
    EXPECT_EQ(sizeof(EpollEvent), 12u);
    EXPECT_EQ(alignof(EpollEvent), 1u);
    EXPECT_EQ(offsetof(EpollEvent, events), 0u);
    EXPECT_EQ(offsetof(EpollEvent, data), 4u);
    // An array of them, as epoll_wait fills it, has no padding either.
    EpollEvent two[2] = {{EPOLLIN, 0x1122334455667788}, {EPOLLOUT, 0x99aabbccddeeff00}};
    EXPECT_EQ(sizeof two, 24u);
    unsigned char bytes[24];
    memcpy(bytes, two, sizeof bytes);
    uint32_t events1;
    uint64_t data0;
    memcpy(&data0, bytes + 4, 8);
    memcpy(&events1, bytes + 12, 4);
    EXPECT_EQ(data0, 0x1122334455667788u);
    EXPECT_EQ(events1, EPOLLOUT);
}

TEST(EpollEvent, ConstantsAreLinuxs) {
    EXPECT_EQ(EPOLLIN, 0x001u);
    EXPECT_EQ(EPOLLOUT, 0x004u);
    EXPECT_EQ(EPOLLERR, 0x008u);
    EXPECT_EQ(EPOLLHUP, 0x010u);
    EXPECT_EQ(EPOLLRDHUP, 0x2000u);
    EXPECT_EQ(EPOLLET, 0x80000000u);
    EXPECT_EQ(EPOLL_CTL_ADD, 1);
    EXPECT_EQ(EPOLL_CTL_DEL, 2);
    EXPECT_EQ(EPOLL_CTL_MOD, 3);
}

// --- control -----------------------------------------------------------------------------------

TEST_F(EpollSetTest, StartsEmpty) {
    EXPECT_EQ(set.size(), 0u);
    EXPECT_EQ(collect(), std::vector<Got>{});
    EXPECT_TRUE(fds.asked.empty()) << "nothing to ask about";
}

TEST_F(EpollSetTest, AddModDelChangeTheSize) {
    EXPECT_EQ(add(3, EPOLLIN, 1), 0);
    EXPECT_EQ(add(4, EPOLLOUT, 2), 0);
    EXPECT_EQ(set.size(), 2u);
    EXPECT_EQ(mod(3, EPOLLIN | EPOLLOUT, 3), 0);
    EXPECT_EQ(set.size(), 2u);
    EXPECT_EQ(del(3), 0);
    EXPECT_EQ(set.size(), 1u);
    EXPECT_EQ(del(4), 0);
    EXPECT_EQ(set.size(), 0u);
}

TEST_F(EpollSetTest, AddOfAnFdAlreadyThereIsEEXIST) {
    ASSERT_EQ(add(5, EPOLLIN, 1), 0);
    EXPECT_EQ(add(5, EPOLLOUT, 2), EEXIST_);
    EXPECT_EQ(set.control(EPOLL_CTL_ADD, 5, nullptr), EEXIST_);
    EXPECT_EQ(set.size(), 1u);
    // The original interest is unchanged.
    fds.change(5, EPOLLIN | EPOLLOUT);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 1}}));
}

TEST_F(EpollSetTest, AddWithoutAnEventIsEINVAL) {
    EXPECT_EQ(set.control(EPOLL_CTL_ADD, 5, nullptr), EINVAL_);
    EXPECT_EQ(set.size(), 0u);
}

TEST_F(EpollSetTest, ModOfAnFdNotThereIsENOENT) {
    EXPECT_EQ(mod(5, EPOLLIN, 1), ENOENT_);
    ASSERT_EQ(add(6, EPOLLIN, 1), 0);
    EXPECT_EQ(mod(5, EPOLLIN, 1), ENOENT_);
    EXPECT_EQ(set.size(), 1u);
}

TEST_F(EpollSetTest, ModWithoutAnEventIsEINVAL) {
    ASSERT_EQ(add(5, EPOLLIN, 7), 0);
    EXPECT_EQ(set.control(EPOLL_CTL_MOD, 5, nullptr), EINVAL_);
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 7}})) << "the interest is unchanged";
}

TEST_F(EpollSetTest, DelOfAnFdNotThereIsENOENT) {
    EXPECT_EQ(del(5), ENOENT_);
    ASSERT_EQ(add(5, EPOLLIN, 1), 0);
    EXPECT_EQ(del(5), 0);
    EXPECT_EQ(del(5), ENOENT_) << "twice";
}

TEST_F(EpollSetTest, DelIgnoresTheEvent) {
    ASSERT_EQ(add(5, EPOLLIN, 1), 0);
    EpollEvent ev{EPOLLOUT, 99};
    EXPECT_EQ(set.control(EPOLL_CTL_DEL, 5, &ev), 0);
    EXPECT_EQ(set.size(), 0u);
}

TEST_F(EpollSetTest, UnknownOpIsEINVAL) {
    EpollEvent ev{EPOLLIN, 1};
    for (int op : {0, 4, 5, -1, 1000}) {
        EXPECT_EQ(set.control(op, 5, &ev), EINVAL_) << "op " << op;
        EXPECT_EQ(set.control(op, 5, nullptr), EINVAL_) << "op " << op;
    }
    ASSERT_EQ(add(5, EPOLLIN, 1), 0);
    EXPECT_EQ(set.control(4, 5, &ev), EINVAL_) << "even for an fd that is there";
    EXPECT_EQ(set.size(), 1u);
}

TEST_F(EpollSetTest, AddToAFullSetIsENOSPC) {
    for (int fd = 0; fd < static_cast<int>(EpollSet::kCapacity); ++fd)
        ASSERT_EQ(add(fd + 10, EPOLLIN, static_cast<uint64_t>(fd)), 0) << "fd " << fd + 10;
    EXPECT_EQ(set.size(), EpollSet::kCapacity);
    EXPECT_EQ(add(1000, EPOLLIN, 0), ENOSPC_);
    EXPECT_EQ(set.size(), EpollSet::kCapacity);
    // The other checks still come first on a full set.
    EXPECT_EQ(add(10, EPOLLIN, 0), EEXIST_);
    EXPECT_EQ(set.control(EPOLL_CTL_ADD, 1000, nullptr), EINVAL_);
    // MOD needs no room.
    EXPECT_EQ(mod(10, EPOLLOUT, 0), 0);
    // Room again after a DEL.
    EXPECT_EQ(del(20), 0);
    EXPECT_EQ(add(1000, EPOLLIN, 0), 0);
    EXPECT_EQ(add(1001, EPOLLIN, 0), ENOSPC_);
}

// --- collect: level-triggered -------------------------------------------------------------------

TEST_F(EpollSetTest, LevelTriggeredIsReportedOnEveryCollectWhileReady) {
    ASSERT_EQ(add(5, EPOLLIN, 42), 0);
    EXPECT_EQ(collect(), std::vector<Got>{}) << "not ready yet";
    fds.change(5, EPOLLIN);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 42}})) << "collect " << i;
    fds.change(5, 0);  // drained
    EXPECT_EQ(collect(), std::vector<Got>{});
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 42}}));
}

TEST_F(EpollSetTest, ReadyWithoutAnyChangeCountIsReported) {
    // A pipe's write end is writable from the start, before anything happened to it.
    ASSERT_EQ(add(5, EPOLLOUT, 1), 0);
    fds.state[5] = Readiness{EPOLLOUT, 0};
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLOUT, 1}}));
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLOUT, 1}}));
}

// --- collect: edge-triggered --------------------------------------------------------------------

TEST_F(EpollSetTest, EdgeTriggeredIsReportedOncePerChange) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 42), 0);
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 42}}));
    EXPECT_EQ(collect(), std::vector<Got>{}) << "still ready, but nothing happened since";
    EXPECT_EQ(collect(), std::vector<Got>{});
    fds.change(5, EPOLLIN);  // more data arrived
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 42}}));
    EXPECT_EQ(collect(), std::vector<Got>{});
}

TEST_F(EpollSetTest, EdgeTriggeredReadyFromTheStartIsReportedOnce) {
    ASSERT_EQ(add(5, EPOLLOUT | EPOLLET, 1), 0);
    fds.state[5] = Readiness{EPOLLOUT, 0};  // change count 0: must still be reported once
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLOUT, 1}}));
    EXPECT_EQ(collect(), std::vector<Got>{});
}

TEST_F(EpollSetTest, EdgeTriggeredChangesWhileNotReadyAreNotReported) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 1), 0);
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect().size(), 1u);
    fds.change(5, 0);  // drained
    EXPECT_EQ(collect(), std::vector<Got>{});
    fds.change(5, 0);
    EXPECT_EQ(collect(), std::vector<Got>{});
    fds.change(5, EPOLLIN);  // a new edge
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 1}}));
    EXPECT_EQ(collect(), std::vector<Got>{});
}

TEST_F(EpollSetTest, EdgeTriggeredCountsAnyChangeEvenWithTheSameEvents) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 1), 0);
    fds.state[5] = Readiness{EPOLLIN, 7};
    EXPECT_EQ(collect().size(), 1u);
    EXPECT_EQ(collect().size(), 0u);
    fds.state[5] = Readiness{EPOLLIN, 9};  // several changes between collects: one report
    EXPECT_EQ(collect().size(), 1u);
    EXPECT_EQ(collect().size(), 0u);
}

TEST_F(EpollSetTest, EdgeTriggeredChangeOfAnEventNotAskedForIsNotReported) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 1), 0);
    fds.change(5, EPOLLOUT);
    EXPECT_EQ(collect(), std::vector<Got>{});
    fds.change(5, EPOLLOUT | EPOLLIN);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 1}}));
    EXPECT_EQ(collect(), std::vector<Got>{});
}

TEST_F(EpollSetTest, ModReArmsAnEdgeTriggeredInterest) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 1), 0);
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect().size(), 1u);
    EXPECT_EQ(collect().size(), 0u);
    // Like Linux: EPOLL_CTL_MOD of a ready descriptor reports it again.
    ASSERT_EQ(mod(5, EPOLLIN | EPOLLET, 2), 0);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 2}}));
    EXPECT_EQ(collect().size(), 0u);
}

TEST_F(EpollSetTest, DelAndAddAgainStartsAfresh) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 1), 0);
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect().size(), 1u);
    ASSERT_EQ(del(5), 0);
    EXPECT_EQ(collect(), std::vector<Got>{}) << "deleted: not reported";
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 3), 0);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 3}}));
}

TEST_F(EpollSetTest, ModFromEdgeToLevelTriggered) {
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 1), 0);
    fds.change(5, EPOLLIN);
    EXPECT_EQ(collect().size(), 1u);
    ASSERT_EQ(mod(5, EPOLLIN, 1), 0);
    EXPECT_EQ(collect().size(), 1u);
    EXPECT_EQ(collect().size(), 1u);
}

TEST_F(EpollSetTest, LevelAndEdgeTriggeredInOneSet) {
    ASSERT_EQ(add(5, EPOLLIN, 5), 0);
    ASSERT_EQ(add(6, EPOLLIN | EPOLLET, 6), 0);
    fds.change(5, EPOLLIN);
    fds.change(6, EPOLLIN);
    EXPECT_EQ(sorted(collect()), (std::vector<Got>{{EPOLLIN, 5}, {EPOLLIN, 6}}));
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 5}}));
    fds.change(6, EPOLLIN);
    EXPECT_EQ(sorted(collect()), (std::vector<Got>{{EPOLLIN, 5}, {EPOLLIN, 6}}));
}

// --- collect: which events ----------------------------------------------------------------------

TEST_F(EpollSetTest, OnlyTheEventsAskedForAreReported) {
    ASSERT_EQ(add(5, EPOLLIN, 5), 0);
    ASSERT_EQ(add(6, EPOLLOUT, 6), 0);
    fds.change(5, EPOLLIN | EPOLLOUT);
    fds.change(6, EPOLLIN);  // readable but only writability was asked for
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 5}}));
}

TEST_F(EpollSetTest, ErrorsAndHangUpsAreAlwaysReported) {
    ASSERT_EQ(add(5, EPOLLIN, 5), 0);
    ASSERT_EQ(add(6, EPOLLOUT, 6), 0);
    ASSERT_EQ(add(7, 0, 7), 0);  // no events at all asked for
    fds.change(5, EPOLLHUP);
    fds.change(6, EPOLLERR | EPOLLIN);
    fds.change(7, EPOLLERR | EPOLLHUP | EPOLLIN | EPOLLOUT);
    EXPECT_EQ(sorted(collect()),
              (std::vector<Got>{{EPOLLHUP, 5}, {EPOLLERR, 6}, {EPOLLERR | EPOLLHUP, 7}}));
}

TEST_F(EpollSetTest, RdHupOnlyWhenAskedFor) {
    ASSERT_EQ(add(5, EPOLLIN, 5), 0);
    ASSERT_EQ(add(6, EPOLLIN | EPOLLRDHUP, 6), 0);
    fds.change(5, EPOLLIN | EPOLLRDHUP);
    fds.change(6, EPOLLIN | EPOLLRDHUP);
    EXPECT_EQ(sorted(collect()), (std::vector<Got>{{EPOLLIN, 5}, {EPOLLIN | EPOLLRDHUP, 6}}));
}

TEST_F(EpollSetTest, TheEdgeTriggeredFlagIsNotEchoed) {
    // Go's netpoller registers EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET.
    ASSERT_EQ(add(5, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 5), 0);
    fds.change(5, EPOLLIN | EPOLLOUT);
    std::vector<Got> got = collect();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].events, EPOLLIN | EPOLLOUT);
    EXPECT_EQ(got[0].events & EPOLLET, 0u);
}

TEST_F(EpollSetTest, TheDataFieldIsReturnedWhole) {
    ASSERT_EQ(add(5, EPOLLIN, 0xfedcba9876543210), 0);
    ASSERT_EQ(add(6, EPOLLIN, 0), 0);
    ASSERT_EQ(add(7, EPOLLIN, UINT64_MAX), 0);
    fds.change(5, EPOLLIN);
    fds.change(6, EPOLLIN);
    fds.change(7, EPOLLIN);
    EXPECT_EQ(sorted(collect()),
              (std::vector<Got>{{EPOLLIN, 0}, {EPOLLIN, 0xfedcba9876543210}, {EPOLLIN, UINT64_MAX}}));
}

TEST_F(EpollSetTest, ModReplacesEventsAndData) {
    ASSERT_EQ(add(5, EPOLLIN, 1), 0);
    fds.change(5, EPOLLIN | EPOLLOUT);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 1}}));
    ASSERT_EQ(mod(5, EPOLLOUT, 2), 0);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLOUT, 2}}));
}

TEST_F(EpollSetTest, TheCallbackGetsTheContextAndTheRegisteredFds) {
    ASSERT_EQ(add(9, EPOLLIN, 0), 0);
    ASSERT_EQ(add(3, EPOLLIN, 0), 0);
    ASSERT_EQ(add(12, EPOLLIN, 0), 0);
    collect();
    std::vector<int> asked = fds.asked;
    std::sort(asked.begin(), asked.end());
    EXPECT_EQ(asked, (std::vector<int>{3, 9, 12}));
}

// --- collect: max ------------------------------------------------------------------------------

TEST_F(EpollSetTest, MaxLimitsTheOutput) {
    for (int fd = 3; fd < 8; ++fd) {
        ASSERT_EQ(add(fd, EPOLLIN, static_cast<uint64_t>(fd)), 0);
        fds.change(fd, EPOLLIN);
    }
    EXPECT_EQ(collect(2).size(), 2u);
    EXPECT_EQ(collect(1).size(), 1u);
    EXPECT_EQ(collect(5).size(), 5u);
    EXPECT_EQ(collect(100).size(), 5u);
    EXPECT_EQ(collect(0).size(), 0u);
}

TEST_F(EpollSetTest, EdgeTriggeredEventsLeftOutByMaxComeNextTime) {
    for (int fd = 3; fd < 6; ++fd) {
        ASSERT_EQ(add(fd, EPOLLIN | EPOLLET, static_cast<uint64_t>(fd)), 0);
        fds.change(fd, EPOLLIN);
    }
    std::vector<Got> all;
    for (int i = 0; i < 3; ++i) {
        std::vector<Got> got = collect(1);
        ASSERT_EQ(got.size(), 1u) << "collect " << i;
        all.push_back(got[0]);
    }
    EXPECT_EQ(sorted(all), (std::vector<Got>{{EPOLLIN, 3}, {EPOLLIN, 4}, {EPOLLIN, 5}}))
        << "each reported once, none lost";
    EXPECT_EQ(collect(), std::vector<Got>{});
}

TEST_F(EpollSetTest, AFullSetReportsEveryFd) {
    std::vector<Got> expected;
    for (int i = 0; i < static_cast<int>(EpollSet::kCapacity); ++i) {
        ASSERT_EQ(add(100 + i, EPOLLIN | EPOLLOUT, 1000u + static_cast<uint64_t>(i)), 0);
        fds.change(100 + i, i % 2 ? EPOLLIN : EPOLLOUT);
        expected.push_back(Got{i % 2 ? EPOLLIN : EPOLLOUT, 1000u + static_cast<uint64_t>(i)});
    }
    EXPECT_EQ(sorted(collect(EpollSet::kCapacity)), expected);
}

// --- removal -----------------------------------------------------------------------------------

TEST_F(EpollSetTest, DelKeepsTheOtherInterestsIntact) {
    for (int fd = 3; fd < 8; ++fd) {
        ASSERT_EQ(add(fd, EPOLLIN, static_cast<uint64_t>(fd * 11)), 0);
        fds.change(fd, EPOLLIN);
    }
    ASSERT_EQ(del(4), 0);  // middle
    EXPECT_EQ(sorted(collect()), (std::vector<Got>{{EPOLLIN, 33}, {EPOLLIN, 55}, {EPOLLIN, 66}, {EPOLLIN, 77}}));
    ASSERT_EQ(del(7), 0);  // last added
    ASSERT_EQ(del(3), 0);  // first added
    EXPECT_EQ(sorted(collect()), (std::vector<Got>{{EPOLLIN, 55}, {EPOLLIN, 66}}));
    EXPECT_EQ(set.size(), 2u);
    EXPECT_EQ(mod(6, EPOLLIN, 1), 0) << "the survivors are still found";
    EXPECT_EQ(del(5), 0);
    EXPECT_EQ(del(6), 0);
    EXPECT_EQ(set.size(), 0u);
}

TEST_F(EpollSetTest, DelKeepsEdgeTriggeredStateOfTheOthers) {
    ASSERT_EQ(add(3, EPOLLIN | EPOLLET, 3), 0);
    ASSERT_EQ(add(4, EPOLLIN | EPOLLET, 4), 0);
    ASSERT_EQ(add(5, EPOLLIN | EPOLLET, 5), 0);
    for (int fd = 3; fd < 6; ++fd) fds.change(fd, EPOLLIN);
    EXPECT_EQ(collect().size(), 3u);
    ASSERT_EQ(del(3), 0);  // the last interest moves into its slot
    EXPECT_EQ(collect(), std::vector<Got>{}) << "5 was reported already and must stay so";
}

TEST_F(EpollSetTest, ForgetRemovesAClosedFd) {
    ASSERT_EQ(add(3, EPOLLIN, 3), 0);
    ASSERT_EQ(add(4, EPOLLIN, 4), 0);
    fds.change(3, EPOLLIN);
    fds.change(4, EPOLLIN);
    set.forget(3);
    EXPECT_EQ(set.size(), 1u);
    EXPECT_EQ(collect(), (std::vector<Got>{{EPOLLIN, 4}}));
    EXPECT_EQ(del(3), ENOENT_);
    EXPECT_EQ(add(3, EPOLLOUT, 30), 0) << "the number can be registered again";
}

TEST_F(EpollSetTest, ForgetOfAnUnknownFdDoesNothing) {
    ASSERT_EQ(add(3, EPOLLIN, 3), 0);
    set.forget(4);
    set.forget(-1);
    EXPECT_EQ(set.size(), 1u);
    set.forget(3);
    set.forget(3);
    EXPECT_EQ(set.size(), 0u);
    EpollSet empty;
    empty.forget(0);
    EXPECT_EQ(empty.size(), 0u);
}

}  // namespace
