// kernel::fd::FdTable: what each file descriptor number stands for.
#include "fd/fd_table.hpp"

#include <gtest/gtest.h>

#include <limits.h>
#include <stdint.h>

#include <memory>

namespace {

using kernel::fd::FdEntry;
using kernel::fd::FdKind;
using kernel::fd::FdTable;
using kernel::fd::O_CLOEXEC;
using kernel::fd::O_NONBLOCK;
using kernel::fd::O_RDONLY;
using kernel::fd::O_RDWR;
using kernel::fd::O_WRONLY;

constexpr int EMFILE_ = -24;
constexpr int kMax = FdTable::kMax;

// Objects for entries to point at.
int pipe_a, pipe_b, epoll_obj;

class FdTableTest : public ::testing::Test {
protected:
    std::unique_ptr<FdTable> owner = std::make_unique<FdTable>();
    FdTable& table = *owner;
    void SetUp() override { table.init(); }
};

TEST(FdFlags, AreLinuxs) {
    EXPECT_EQ(O_RDONLY, 0u);
    EXPECT_EQ(O_WRONLY, 1u);
    EXPECT_EQ(O_RDWR, 2u);
    EXPECT_EQ(O_NONBLOCK, 04000u);
    EXPECT_EQ(O_CLOEXEC, 02000000u);
}

TEST(FdTableBeforeInit, EverythingIsFree) {
    auto table = std::make_unique<FdTable>();
    for (int fd = 0; fd < kMax; ++fd) EXPECT_EQ(table->get(fd), nullptr) << "fd " << fd;
    EXPECT_EQ(table->allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 0);
}

TEST_F(FdTableTest, InitOpensTheConsoleAsStdinStdoutStderr) {
    FdEntry* in = table.get(0);
    FdEntry* out = table.get(1);
    FdEntry* err = table.get(2);
    ASSERT_NE(in, nullptr);
    ASSERT_NE(out, nullptr);
    ASSERT_NE(err, nullptr);
    EXPECT_EQ(in->kind, FdKind::Console);
    EXPECT_EQ(out->kind, FdKind::Console);
    EXPECT_EQ(err->kind, FdKind::Console);
    EXPECT_EQ(in->flags, O_RDONLY);
    EXPECT_EQ(out->flags, O_WRONLY);
    EXPECT_EQ(err->flags, O_WRONLY);
    EXPECT_EQ(in->object, nullptr);
    EXPECT_EQ(out->object, nullptr);
    EXPECT_EQ(err->object, nullptr);
    EXPECT_NE(in, out);
    EXPECT_NE(out, err);
}

TEST_F(FdTableTest, InitLeavesTheRestFree) {
    for (int fd = 3; fd < kMax; ++fd) EXPECT_EQ(table.get(fd), nullptr) << "fd " << fd;
}

TEST_F(FdTableTest, AllocateGivesTheLowestFreeNumber) {
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 3);
    EXPECT_EQ(table.allocate(FdKind::PipeWrite, &pipe_b, O_WRONLY), 4);
    EXPECT_EQ(table.allocate(FdKind::Epoll, &epoll_obj, O_RDWR | O_CLOEXEC), 5);
}

TEST_F(FdTableTest, AllocateStoresKindObjectAndFlags) {
    int fd = table.allocate(FdKind::PipeWrite, &pipe_b, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    ASSERT_EQ(fd, 3);
    FdEntry* e = table.get(fd);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->kind, FdKind::PipeWrite);
    EXPECT_EQ(e->object, &pipe_b);
    EXPECT_EQ(e->flags, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
}

TEST_F(FdTableTest, GetReturnsTheLiveEntry) {
    int fd = table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY);
    // fcntl(F_SETFL, O_NONBLOCK) changes the entry in place.
    table.get(fd)->flags |= O_NONBLOCK;
    EXPECT_EQ(table.get(fd)->flags, O_RDONLY | O_NONBLOCK);
    EXPECT_EQ(table.get(fd), table.get(fd));
}

TEST_F(FdTableTest, AReleasedNumberIsReused) {
    ASSERT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 3);
    ASSERT_EQ(table.allocate(FdKind::PipeWrite, &pipe_b, O_WRONLY), 4);
    table.release(3);
    EXPECT_EQ(table.get(3), nullptr);
    ASSERT_NE(table.get(4), nullptr) << "its neighbour stays open";
    EXPECT_EQ(table.get(4)->object, &pipe_b);
    EXPECT_EQ(table.allocate(FdKind::Epoll, &epoll_obj, O_RDWR), 3);
    EXPECT_EQ(table.get(3)->kind, FdKind::Epoll);
    EXPECT_EQ(table.get(3)->object, &epoll_obj);
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 5);
}

TEST_F(FdTableTest, TheLowestOfSeveralReleasedNumbersComesFirst) {
    for (int i = 0; i < 5; ++i) ASSERT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 3 + i);
    table.release(6);
    table.release(4);
    table.release(5);
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 4);
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 5);
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 6);
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 8);
}

TEST_F(FdTableTest, AClosedStandardDescriptorIsReusedFirst) {
    table.release(0);
    EXPECT_EQ(table.get(0), nullptr);
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 0) << "like Linux: lowest free";
    EXPECT_EQ(table.get(0)->kind, FdKind::PipeRead);
    EXPECT_EQ(table.get(1)->kind, FdKind::Console);
}

TEST_F(FdTableTest, AFullTableIsEMFILE) {
    for (int fd = 3; fd < kMax; ++fd) ASSERT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), fd);
    EXPECT_EQ(table.allocate(FdKind::PipeWrite, &pipe_b, O_WRONLY), EMFILE_);
    EXPECT_EQ(table.allocate(FdKind::PipeWrite, &pipe_b, O_WRONLY), EMFILE_);
    ASSERT_NE(table.get(kMax - 1), nullptr);
    EXPECT_EQ(table.get(kMax - 1)->object, &pipe_a) << "a failed allocate overwrites nothing";
    table.release(40);
    EXPECT_EQ(table.allocate(FdKind::Epoll, &epoll_obj, O_RDWR), 40);
    EXPECT_EQ(table.allocate(FdKind::Epoll, &epoll_obj, O_RDWR), EMFILE_);
}

TEST_F(FdTableTest, GetOfAFreeNumberIsNull) {
    EXPECT_EQ(table.get(3), nullptr);
    EXPECT_EQ(table.get(kMax - 1), nullptr);
    int fd = table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY);
    table.release(fd);
    EXPECT_EQ(table.get(fd), nullptr);
}

TEST_F(FdTableTest, GetOfANegativeNumberIsNull) {
    EXPECT_EQ(table.get(-1), nullptr);
    EXPECT_EQ(table.get(-100), nullptr);
    EXPECT_EQ(table.get(INT_MIN), nullptr);
}

TEST_F(FdTableTest, GetOutOfRangeIsNull) {
    for (int fd = 3; fd < kMax; ++fd) table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY);
    EXPECT_EQ(table.get(kMax), nullptr);
    EXPECT_EQ(table.get(kMax + 1), nullptr);
    EXPECT_EQ(table.get(1000), nullptr);
    EXPECT_EQ(table.get(INT_MAX), nullptr);
}

TEST_F(FdTableTest, ReleaseOfAFreeOrInvalidNumberDoesNothing) {
    int fd = table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY);
    table.release(fd + 1);
    table.release(-1);
    table.release(INT_MIN);
    table.release(kMax);
    table.release(INT_MAX);
    for (int i = 0; i <= fd; ++i) EXPECT_NE(table.get(i), nullptr) << "fd " << i;
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), fd + 1);
}

TEST_F(FdTableTest, ReleaseClearsTheEntry) {
    int fd = table.allocate(FdKind::Epoll, &epoll_obj, O_RDWR | O_CLOEXEC);
    table.release(fd);
    // Allocated again with other attributes: nothing of the old entry shows through.
    ASSERT_EQ(table.allocate(FdKind::PipeRead, nullptr, O_RDONLY), fd);
    EXPECT_EQ(table.get(fd)->kind, FdKind::PipeRead);
    EXPECT_EQ(table.get(fd)->object, nullptr);
    EXPECT_EQ(table.get(fd)->flags, O_RDONLY);
}

TEST_F(FdTableTest, InitAgainResetsTheTable) {
    for (int fd = 3; fd < 10; ++fd) table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY);
    table.release(1);
    table.init();
    EXPECT_EQ(table.get(1)->kind, FdKind::Console);
    EXPECT_EQ(table.get(1)->flags, O_WRONLY);
    for (int fd = 3; fd < kMax; ++fd) EXPECT_EQ(table.get(fd), nullptr) << "fd " << fd;
    EXPECT_EQ(table.allocate(FdKind::PipeRead, &pipe_a, O_RDONLY), 3);
}

}  // namespace
