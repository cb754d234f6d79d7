// kernel::syscalls::{info, handler, errno_name, signal_name}: the one system-call table (numbers,
// names, argument kinds, log flags, handlers) and the names the log prints.
#include "syscalls/names.hpp"
#include "syscalls/table.hpp"

#include "linux_syscall_numbers.hpp"  // generated from <asm/unistd_64.h> (tests/kernel/CMakeLists.txt)

#include <gtest/gtest.h>

#include <stdint.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

using kernel::syscalls::errno_name;
using kernel::syscalls::Info;
using kernel::syscalls::info;
using kernel::syscalls::signal_name;

// Argument kinds documented in table.hpp.  Stage 04 (the one with memory/) adds L P F M for
// mmap, munmap and madvise.
#if __has_include("memory/vma.hpp")
constexpr const char* kKinds = "duxapsbSLPFM";
#else
constexpr const char* kKinds = "duxapsbS";
#endif

constexpr uint64_t kProbeLimit = 1024;  // Linux x86-64 numbers stay well below this

// Every entry info() finds for 0 .. kProbeLimit-1, in number order.
std::vector<const Info*> all_entries() {
    std::vector<const Info*> found;
    for (uint64_t nr = 0; nr < kProbeLimit; ++nr)
        if (const Info* in = info(nr)) found.push_back(in);
    return found;
}

TEST(SyscallInfo, KnownEntries) {
    struct {
        uint64_t nr;
        const char* name;
    } const known[] = {
        {0, "read"},     {1, "write"},         {3, "close"},       {9, "mmap"},        {11, "munmap"},
        {13, "rt_sigaction"}, {14, "rt_sigprocmask"}, {24, "sched_yield"}, {28, "madvise"}, {39, "getpid"},
        {56, "clone"},   {60, "exit"},         {158, "arch_prctl"}, {186, "gettid"},    {202, "futex"},
        {228, "clock_gettime"}, {231, "exit_group"}, {234, "tgkill"}, {257, "openat"}, {318, "getrandom"},
    };
    for (const auto& k : known) {
        const Info* in = info(k.nr);
        ASSERT_NE(in, nullptr) << "syscall " << k.nr;
        EXPECT_EQ(in->nr, k.nr);
        EXPECT_STREQ(in->name, k.name) << "syscall " << k.nr;
    }
}

TEST(SyscallInfo, UnknownNumbersGiveNull) {
    EXPECT_EQ(info(4), nullptr);    // stat: not something Go 1.19 issues on linux/amd64
    EXPECT_EQ(info(335), nullptr);  // past the end of the x86-64 table used here
    EXPECT_EQ(info(1000), nullptr);
    EXPECT_EQ(info(UINT64_MAX), nullptr);
    // A 64-bit number whose low 16 bits name a known call is still unknown.
    EXPECT_EQ(info(0x10000 + 1), nullptr);
    EXPECT_EQ(info(0x100000000ULL + 202), nullptr);
}

// info() is a binary search, so it only finds every entry if the table is sorted with unique
// numbers.  The entries are one array: walking the numbers upwards must meet them at
// consecutive addresses, with nothing skipped (an unsorted or duplicated entry would be
// unreachable and leave a gap).
TEST(SyscallInfo, TableIsSortedByNumberWithUniqueNumbers) {
    std::vector<const Info*> entries = all_entries();
    ASSERT_GE(entries.size(), 30u);
    for (size_t i = 0; i < entries.size(); ++i) {
        EXPECT_LT(entries[i]->nr, kProbeLimit);
        EXPECT_EQ(info(entries[i]->nr), entries[i]);
        if (i == 0) continue;
        EXPECT_GT(entries[i]->nr, entries[i - 1]->nr);
        EXPECT_EQ(entries[i] - entries[i - 1], 1)
            << "entries between " << entries[i - 1]->name << " and " << entries[i]->name
            << " cannot be found: table not sorted or numbers repeated";
    }
    EXPECT_EQ(entries.front()->nr, 0u);
}

// The table itself, walked from begin to end, is strictly ascending: the binary search in info()
// and the order a student reads it in are the same.
TEST(SyscallTable, RowsAscendStrictlyByNumber) {
    const Info* b = kernel::syscalls::table_begin();
    const Info* e = kernel::syscalls::table_end();
    ASSERT_LT(b, e);
    for (const Info* r = b + 1; r < e; ++r) EXPECT_LT(r[-1].nr, r->nr) << r[-1].name << " before " << r->name;
    EXPECT_EQ(static_cast<size_t>(e - b), all_entries().size());
}

// Every number means what Linux's x86-64 table says it means (<asm/unistd_64.h>): a row with the
// right name but a wrong number would hand Go's calls to the wrong handler.
TEST(SyscallTable, NumbersAgreeWithLinux) {
    for (const Info* r = kernel::syscalls::table_begin(); r < kernel::syscalls::table_end(); ++r) {
        const char* linux_name = nullptr;
        for (const LinuxSyscall& l : kLinuxSyscalls)
            if (l.nr == r->nr) linux_name = l.name;
        ASSERT_NE(linux_name, nullptr) << r->nr << " (" << r->name << ") is not a Linux x86-64 call";
        EXPECT_STREQ(r->name, linux_name) << "number " << r->nr;
    }
}

TEST(SyscallTable, HandlerIsTheRowsHandler) {
    for (const Info* r = kernel::syscalls::table_begin(); r < kernel::syscalls::table_end(); ++r)
        EXPECT_EQ(kernel::syscalls::handler(r->nr), r->handler) << r->name;
    EXPECT_EQ(kernel::syscalls::handler(4), nullptr);
    EXPECT_EQ(kernel::syscalls::handler(UINT64_MAX), nullptr);
    // Every stage from 02 on can end a program.
    EXPECT_NE(kernel::syscalls::handler(60), nullptr);   // exit
    EXPECT_NE(kernel::syscalls::handler(231), nullptr);  // exit_group
}

// kQuiet hides a call from the default log only once it has a handler, so a quiet row without
// one would be a flag that does nothing yet: the stage that implements a call sets it.
TEST(SyscallTable, QuietOnlyWhereImplemented) {
    for (const Info* r = kernel::syscalls::table_begin(); r < kernel::syscalls::table_end(); ++r)
        if (r->quiet()) {
            EXPECT_NE(r->handler, nullptr) << r->name << " is quiet but has no handler";
        }
}

TEST(SyscallInfo, NamesAreUniqueAndPlausible) {
    std::set<std::string> names;
    for (const Info* in : all_entries()) {
        ASSERT_NE(in->name, nullptr);
        std::string name = in->name;
        EXPECT_FALSE(name.empty());
        EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos) << name;
        EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    }
}

TEST(SyscallInfo, ArgumentKindsAreDocumentedLettersAtMostSix) {
    for (const Info* in : all_entries()) {
        ASSERT_NE(in->args, nullptr) << in->name;
        size_t n = strlen(in->args);
        EXPECT_LE(n, 6u) << in->name;
        for (size_t i = 0; i < n; ++i)
            EXPECT_NE(strchr(kKinds, in->args[i]), nullptr)
                << in->name << ": undocumented argument kind '" << in->args[i] << "'";
        // A buffer's length is the next argument, so 'b' can never be last.
        const char* b = strchr(in->args, 'b');
        if (b) {
            EXPECT_NE(b[1], '\0') << in->name << ": buffer without a length argument";
        }
    }
}

TEST(SyscallInfo, ArgumentKindsOfCallsTheLogDecodes) {
    EXPECT_STREQ(info(0)->args, "dpu");     // read(fd, buf, count): the buffer is not yet filled
    EXPECT_STREQ(info(1)->args, "dbu");     // write(fd, buf, count)
    EXPECT_STREQ(info(13)->args, "Sppu");   // rt_sigaction(sig, act, oact, sigsetsize)
    EXPECT_STREQ(info(62)->args, "dS");     // kill(pid, sig)
    EXPECT_STREQ(info(202)->args, "pdupxu"); // futex
    EXPECT_STREQ(info(231)->args, "d");     // exit_group(status)
    EXPECT_STREQ(info(257)->args, "dsxx");  // openat(dirfd, path, flags, mode)
    EXPECT_STREQ(info(39)->args, "");       // getpid()
}

TEST(SyscallInfo, BatchedCallsAreTheRepetitiveOnes) {
    EXPECT_TRUE(info(13)->batch());   // the runtime installs 65 signal handlers in a row
    EXPECT_TRUE(info(14)->batch());
    EXPECT_TRUE(info(24)->batch());   // sched_yield
    EXPECT_FALSE(info(0)->batch());
    EXPECT_FALSE(info(1)->batch());   // writes are coalesced by text instead
    EXPECT_FALSE(info(9)->batch());
    EXPECT_FALSE(info(231)->batch());
}

TEST(SyscallInfo, ErrnoNames) {
    EXPECT_STREQ(errno_name(1), "EPERM");
    EXPECT_STREQ(errno_name(2), "ENOENT");
    EXPECT_STREQ(errno_name(11), "EAGAIN");
    EXPECT_STREQ(errno_name(12), "ENOMEM");
    EXPECT_STREQ(errno_name(14), "EFAULT");
    EXPECT_STREQ(errno_name(17), "EEXIST");
    EXPECT_STREQ(errno_name(22), "EINVAL");
    EXPECT_STREQ(errno_name(38), "ENOSYS");
    EXPECT_STREQ(errno_name(110), "ETIMEDOUT");
}

TEST(SyscallInfo, UnknownErrnoHasNoName) {
    EXPECT_EQ(errno_name(0), nullptr);
    EXPECT_EQ(errno_name(-38), nullptr);  // callers pass the positive value
    EXPECT_EQ(errno_name(200), nullptr);
    EXPECT_EQ(errno_name(4095), nullptr);
    for (long e = 1; e < 4096; ++e) {
        const char* name = errno_name(e);
        if (name) {
            EXPECT_EQ(name[0], 'E') << e;
        }
    }
}

TEST(SyscallInfo, SignalNames) {
    EXPECT_STREQ(signal_name(1), "SIGHUP");
    EXPECT_STREQ(signal_name(2), "SIGINT");
    EXPECT_STREQ(signal_name(6), "SIGABRT");
    EXPECT_STREQ(signal_name(9), "SIGKILL");
    EXPECT_STREQ(signal_name(11), "SIGSEGV");
    EXPECT_STREQ(signal_name(16), "SIGSTKFLT");
    EXPECT_STREQ(signal_name(17), "SIGCHLD");
    EXPECT_STREQ(signal_name(23), "SIGURG");  // Go's preemption signal
    EXPECT_STREQ(signal_name(31), "SIGSYS");
    EXPECT_STREQ(signal_name(32), "SIGRT0");
    EXPECT_STREQ(signal_name(35), "SIGRT3");
    EXPECT_STREQ(signal_name(64), "SIGRT32");
}

TEST(SyscallInfo, EverySignalFrom1To64HasADistinctName) {
    std::set<std::string> names;
    for (uint64_t s = 1; s <= 64; ++s) {
        const char* name = signal_name(s);
        ASSERT_NE(name, nullptr) << s;
        EXPECT_EQ(std::string(name).rfind("SIG", 0), 0u) << name;
        EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
    }
    for (uint64_t s = 32; s <= 64; ++s) EXPECT_EQ(signal_name(s), "SIGRT" + std::to_string(s - 32));
}

TEST(SyscallInfo, SignalOutsideOneTo64HasNoName) {
    EXPECT_EQ(signal_name(0), nullptr);
    EXPECT_EQ(signal_name(65), nullptr);
    EXPECT_EQ(signal_name(128), nullptr);
    EXPECT_EQ(signal_name(UINT64_MAX), nullptr);
}

}  // namespace
