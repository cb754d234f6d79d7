// kernel::syscalls::Log, stage 04 and later: memory calls decoded (lengths, PROT_*, MAP_*,
// MADV_*) and the handler's note after the result.  Registered only for stages that have
// kernel/memory/ (see CMakeLists.txt).
#include "syscall_log_test_support.hpp"
#include "syscalls/table.hpp"

namespace {

using namespace syscall_log_test;
using kernel::syscalls::info;

constexpr uint64_t kMmap = 9, kMunmap = 11, kMadvise = 28;
constexpr uint64_t kNoFd = static_cast<uint64_t>(-1);

std::string mmap_prot(uint64_t prot) {
    // mmap(0x0, 0x1000 (4 KiB), <prot>, 0, -1, 0x0)
    std::string s = formatted_call(call(kMmap, 0, 0x1000, prot, 0, kNoFd, 0));
    std::string head = "mmap(0x0, 0x1000 (4 KiB), ";
    EXPECT_EQ(s.rfind(head, 0), 0u) << s;
    std::string tail = ", 0, -1, 0x0)";
    EXPECT_GE(s.size(), head.size() + tail.size());
    return s.substr(head.size(), s.size() - head.size() - tail.size());
}

std::string mmap_flags(uint64_t flags) {
    std::string s = formatted_call(call(kMmap, 0, 0x1000, 0, flags, kNoFd, 0));
    std::string head = "mmap(0x0, 0x1000 (4 KiB), PROT_NONE, ";
    EXPECT_EQ(s.rfind(head, 0), 0u) << s;
    std::string tail = ", -1, 0x0)";
    return s.substr(head.size(), s.size() - head.size() - tail.size());
}

std::string munmap_length(uint64_t length) {
    std::string s = formatted_call(call(kMunmap, 0x7f0000000000, length));
    std::string head = "munmap(0x7f0000000000, ";
    EXPECT_EQ(s.rfind(head, 0), 0u) << s;
    return s.substr(head.size(), s.size() - head.size() - 1);
}

std::string madvise_advice(uint64_t advice) {
    std::string s = formatted_call(call(kMadvise, 0xc000000000, 0x2000, advice));
    std::string head = "madvise(0xc000000000, 0x2000 (8 KiB), ";
    EXPECT_EQ(s.rfind(head, 0), 0u) << s;
    return s.substr(head.size(), s.size() - head.size() - 1);
}

TEST(SyscallInfoMemory, MemoryCallsUseTheMemoryKinds) {
    EXPECT_STREQ(info(kMmap)->args, "aLPFdx");
    EXPECT_STREQ(info(kMunmap)->args, "aL");
    EXPECT_STREQ(info(kMadvise)->args, "aLM");
}

TEST(SyscallLogMemory, GoHeapReservation) {
    EXPECT_EQ(formatted_call(call(kMmap, 0xc000000000, 0x4000000, 0, 0x22, kNoFd, 0)),
              "mmap(0xc000000000, 0x4000000 (64 MiB), PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0)");
}

TEST(SyscallLogMemory, GoHeapCommit) {
    EXPECT_EQ(formatted_call(call(kMmap, 0xc000000000, 0x400000, 3, 0x32, kNoFd, 0)),
              "mmap(0xc000000000, 0x400000 (4 MiB), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0x0)");
}

TEST(SyscallLogMemory, ProtectionBits) {
    EXPECT_EQ(mmap_prot(0), "PROT_NONE");
    EXPECT_EQ(mmap_prot(1), "PROT_READ");
    EXPECT_EQ(mmap_prot(2), "PROT_WRITE");
    EXPECT_EQ(mmap_prot(4), "PROT_EXEC");
    EXPECT_EQ(mmap_prot(7), "PROT_READ|PROT_WRITE|PROT_EXEC");
    EXPECT_EQ(mmap_prot(5), "PROT_READ|PROT_EXEC");
    // Bits without a name are kept, in hex.
    EXPECT_EQ(mmap_prot(0x8), "0x8");
    EXPECT_EQ(mmap_prot(0x1000009), "PROT_READ|0x1000008");
}

TEST(SyscallLogMemory, MapFlags) {
    EXPECT_EQ(mmap_flags(0), "0");
    EXPECT_EQ(mmap_flags(0x01), "MAP_SHARED");
    EXPECT_EQ(mmap_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
    EXPECT_EQ(mmap_flags(0x4022), "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE");
    EXPECT_EQ(mmap_flags(0x100022), "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE");
    EXPECT_EQ(mmap_flags(0x20022), "MAP_PRIVATE|MAP_ANONYMOUS|0x20000");  // MAP_STACK: no name here
    EXPECT_EQ(mmap_flags(0x40), "0x40");
}

TEST(SyscallLogMemory, LengthsInHexWithKiBOrMiB) {
    EXPECT_EQ(munmap_length(0), "0x0");
    EXPECT_EQ(munmap_length(0x100), "0x100");
    EXPECT_EQ(munmap_length(0x400), "0x400 (1 KiB)");
    EXPECT_EQ(munmap_length(0x1000), "0x1000 (4 KiB)");
    EXPECT_EQ(munmap_length(0x1001), "0x1001");
    EXPECT_EQ(munmap_length(0x1800), "0x1800 (6 KiB)");
    EXPECT_EQ(munmap_length(0x100000), "0x100000 (1 MiB)");
    EXPECT_EQ(munmap_length(0x180000), "0x180000 (1536 KiB)");  // not a whole number of MiB
    EXPECT_EQ(munmap_length(0x4000000), "0x4000000 (64 MiB)");
    EXPECT_EQ(munmap_length(0x4000000000), "0x4000000000 (262144 MiB)");
}

TEST(SyscallLogMemory, MadviseAdvice) {
    EXPECT_EQ(madvise_advice(0), "MADV_NORMAL");
    EXPECT_EQ(madvise_advice(4), "MADV_DONTNEED");
    EXPECT_EQ(madvise_advice(8), "MADV_FREE");
    EXPECT_EQ(madvise_advice(14), "MADV_HUGEPAGE");
    EXPECT_EQ(madvise_advice(15), "MADV_NOHUGEPAGE");
    EXPECT_EQ(madvise_advice(100), "100");
    EXPECT_EQ(madvise_advice(1), "1");  // MADV_RANDOM: no name here
}

TEST(SyscallLogMemory, NoteFollowsTheResultInParentheses) {
    Captured c;
    c.log.record(call(kMmap, 0xc000000000, 0x4000000, 0, 0x22, kNoFd, 0), 0xc000000000, nullptr, true, "reserved");
    EXPECT_EQ(c.text,
              "[syscall] mmap(0xc000000000, 0x4000000 (64 MiB), PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0)"
              " = 0xc000000000 (reserved)\n");
}

TEST(SyscallLogMemory, NoteOnAFailure) {
    Captured c;
    c.log.record(call(kMmap, 0, 0x40000000, 3, 0x22, kNoFd, 0), -12, nullptr, true,
                 "out of memory: asked for 1024 MiB");
    EXPECT_EQ(c.text,
              "[syscall] mmap(0x0, 0x40000000 (1024 MiB), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0)"
              " = -ENOMEM (out of memory: asked for 1024 MiB)\n");
}

TEST(SyscallLogMemory, NoteAfterTheNotImplementedMarker) {
    Captured c;
    c.log.record(call(kMunmap, 0x1000, 0x1000), -38, "libc munmap", false, "odd");
    EXPECT_EQ(c.text, "[libc munmap] munmap(0x1000, 0x1000 (4 KiB)) = -ENOSYS (not implemented) (odd)\n");
}

TEST(SyscallLogMemory, NullOrEmptyNoteAddsNothing) {
    Captured c;
    c.log.record(call(kMadvise, 0xc000000000, 0x2000, 4), 0, nullptr, true, nullptr);
    c.log.record(call(kMadvise, 0xc000000000, 0x2000, 14), 0, nullptr, true, "");
    c.log.record(call(kMadvise, 0xc000000000, 0x2000, 4), 0, nullptr, true);
    EXPECT_EQ(c.text,
              "[syscall] madvise(0xc000000000, 0x2000 (8 KiB), MADV_DONTNEED) = 0\n"
              "[syscall] madvise(0xc000000000, 0x2000 (8 KiB), MADV_HUGEPAGE) = 0\n"
              "[syscall] madvise(0xc000000000, 0x2000 (8 KiB), MADV_DONTNEED) = 0\n");
}

}  // namespace
