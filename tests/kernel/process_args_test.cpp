// kernel::rt0::build: the argv / envp / auxv vector handed to the Go runtime's initialiser.
#include "process_args.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using kernel::rt0::AT_NULL;
using kernel::rt0::AT_PAGESZ;
using kernel::rt0::AT_RANDOM;
using kernel::rt0::AuxEntry;
using kernel::rt0::build;
using kernel::rt0::ProcessArgs;
using kernel::rt0::words_needed;

constexpr uint64_t kPoison = 0x5757575757575757;

uint64_t word(const char* s) { return reinterpret_cast<uint64_t>(s); }

// What Go 1.19's runtime.sysargs (runtime/os_linux.go) does with (argc, argv): skip argv and
// its NULL, skip envp up to its NULL, step over the NULL, and read auxv pairs up to AT_NULL.
struct GoView {
    std::vector<std::string> args;
    std::vector<std::string> env;
    uint64_t pagesize = 0;
    const unsigned char* random = nullptr;  // startupRandomData: 16 bytes
    size_t aux_pairs = 0;
};

GoView go_sysargs(int argc, char** argv) {
    GoView v;
    auto* words = reinterpret_cast<uint64_t*>(argv);
    for (int i = 0; i < argc; ++i) v.args.emplace_back(argv[i]);
    size_t n = static_cast<size_t>(argc) + 1;  // argv[argc] is NULL
    while (words[n] != 0) {                     // envp
        v.env.emplace_back(reinterpret_cast<const char*>(words[n]));
        ++n;
    }
    ++n;  // the NULL after envp
    const uint64_t* auxv = words + n;
    for (size_t i = 0; auxv[i] != AT_NULL; i += 2) {
        if (auxv[i] == AT_PAGESZ) v.pagesize = auxv[i + 1];
        if (auxv[i] == AT_RANDOM) v.random = reinterpret_cast<const unsigned char*>(auxv[i + 1]);
        ++v.aux_pairs;
        if (v.aux_pairs > 100) break;
    }
    return v;
}

TEST(ProcessArgs, WordsNeeded) {
    // argv NULL envp NULL (auxv pairs) AT_NULL 0
    EXPECT_EQ(words_needed(0, 0, 0), 4u);
    EXPECT_EQ(words_needed(1, 0, 0), 5u);
    EXPECT_EQ(words_needed(1, 2, 0), 7u);
    EXPECT_EQ(words_needed(1, 2, 2), 11u);
    EXPECT_EQ(words_needed(3, 4, 5), 3u + 1 + 4 + 1 + 12);
    static_assert(words_needed(2, 1, 3) == 13);
}

TEST(ProcessArgs, LayoutIsContiguousArgvNullEnvpNullAuxvAtNull) {
    const char* argv[] = {"kernel", "-v"};
    const char* envp[] = {"GODEBUG=x", "HOME=/", "TERM=xterm"};
    static unsigned char random[16];
    AuxEntry auxv[] = {{AT_PAGESZ, 4096}, {AT_RANDOM, reinterpret_cast<uint64_t>(random)}};
    std::vector<uint64_t> v(words_needed(2, 3, 2) + 4, kPoison);

    ProcessArgs pa = build(v.data(), words_needed(2, 3, 2), argv, 2, envp, 3, auxv, 2);

    std::vector<uint64_t> expected = {
        word(argv[0]), word(argv[1]), 0,
        word(envp[0]), word(envp[1]), word(envp[2]), 0,
        AT_PAGESZ, 4096, AT_RANDOM, reinterpret_cast<uint64_t>(random),
        AT_NULL, 0,
        kPoison, kPoison, kPoison, kPoison,  // nothing written past the capacity
    };
    EXPECT_EQ(v, expected);
    EXPECT_EQ(pa.argc, 2);
    EXPECT_EQ(pa.argv, reinterpret_cast<char**>(v.data()));
    EXPECT_EQ(pa.envp, reinterpret_cast<char**>(v.data() + 3));
    EXPECT_EQ(pa.auxv, reinterpret_cast<AuxEntry*>(v.data() + 7));
    EXPECT_STREQ(pa.argv[0], "kernel");
    EXPECT_STREQ(pa.argv[1], "-v");
    EXPECT_EQ(pa.argv[2], nullptr);
    EXPECT_STREQ(pa.envp[2], "TERM=xterm");
    EXPECT_EQ(pa.envp[3], nullptr);
    EXPECT_EQ(pa.auxv[0].key, AT_PAGESZ);
    EXPECT_EQ(pa.auxv[0].value, 4096u);
    EXPECT_EQ(pa.auxv[1].key, AT_RANDOM);
    EXPECT_EQ(pa.auxv[2].key, AT_NULL);
    EXPECT_EQ(pa.auxv[2].value, 0u);
}

TEST(ProcessArgs, EmptyArgvEnvpAndAuxv) {
    std::vector<uint64_t> v(6, kPoison);
    ProcessArgs pa = build(v.data(), 4, nullptr, 0, nullptr, 0, nullptr, 0);
    EXPECT_EQ(v, (std::vector<uint64_t>{0, 0, AT_NULL, 0, kPoison, kPoison}));
    EXPECT_EQ(pa.argc, 0);
    EXPECT_EQ(pa.argv, reinterpret_cast<char**>(v.data()));
    EXPECT_EQ(pa.envp, reinterpret_cast<char**>(v.data() + 1));
    EXPECT_EQ(pa.auxv, reinterpret_cast<AuxEntry*>(v.data() + 2));
    EXPECT_EQ(pa.envp[0], nullptr);
    EXPECT_EQ(pa.auxv[0].key, AT_NULL);
}

TEST(ProcessArgs, NoEnvironmentPutsTwoNullsInARow) {
    const char* argv[] = {"a"};
    AuxEntry auxv[] = {{AT_PAGESZ, 4096}};
    std::vector<uint64_t> v(words_needed(1, 0, 1), kPoison);
    ProcessArgs pa = build(v.data(), v.size(), argv, 1, nullptr, 0, auxv, 1);
    EXPECT_EQ(v, (std::vector<uint64_t>{word(argv[0]), 0, 0, AT_PAGESZ, 4096, AT_NULL, 0}));
    EXPECT_EQ(pa.envp, reinterpret_cast<char**>(v.data() + 2));
    EXPECT_EQ(pa.auxv, reinterpret_cast<AuxEntry*>(v.data() + 3));
}

TEST(ProcessArgs, CapacityOneShortFailsWithoutWriting) {
    const char* argv[] = {"kernel"};
    const char* envp[] = {"A=1"};
    AuxEntry auxv[] = {{AT_PAGESZ, 4096}};
    size_t need = words_needed(1, 1, 1);
    std::vector<uint64_t> v(need, kPoison);

    ProcessArgs pa = build(v.data(), need - 1, argv, 1, envp, 1, auxv, 1);
    EXPECT_EQ(pa.argc, 0);
    EXPECT_EQ(pa.argv, nullptr);
    EXPECT_EQ(pa.envp, nullptr);
    EXPECT_EQ(pa.auxv, nullptr);
    EXPECT_EQ(v, std::vector<uint64_t>(need, kPoison));

    pa = build(v.data(), 0, argv, 1, envp, 1, auxv, 1);
    EXPECT_EQ(pa.argc, 0);
    EXPECT_EQ(pa.argv, nullptr);

    pa = build(v.data(), need, argv, 1, envp, 1, auxv, 1);  // exactly enough
    EXPECT_EQ(pa.argc, 1);
    EXPECT_EQ(v.back(), 0u);
    EXPECT_EQ(v[need - 2], AT_NULL);
}

TEST(ProcessArgs, EvenAnEmptyVectorNeedsRoomForItsTerminators) {
    uint64_t w = kPoison;
    ProcessArgs pa = build(&w, 3, nullptr, 0, nullptr, 0, nullptr, 0);  // needs 4
    EXPECT_EQ(pa.argv, nullptr);
    EXPECT_EQ(pa.envp, nullptr);
    EXPECT_EQ(pa.auxv, nullptr);
    EXPECT_EQ(w, kPoison);
}

// The point of the layout: the runtime finds auxv only by walking past argv and envp.
TEST(ProcessArgs, GoRuntimeSysargsWalkFindsPageSizeAndRandom) {
    const char* argv[] = {"kernel", "console=hvc0", "-test.v"};
    const char* envp[] = {"GOTRACEBACK=all", "GODEBUG=madvdontneed=1"};
    alignas(16) static const unsigned char random[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    AuxEntry auxv[] = {
        {3 /* AT_PHDR */, 0x400040},
        {AT_PAGESZ, 4096},
        {AT_RANDOM, reinterpret_cast<uint64_t>(random)},
        {17 /* AT_CLKTCK */, 100},
    };
    std::vector<uint64_t> v(words_needed(3, 2, 4), kPoison);
    ProcessArgs pa = build(v.data(), v.size(), argv, 3, envp, 2, auxv, 4);
    ASSERT_EQ(pa.argc, 3);

    GoView go = go_sysargs(pa.argc, pa.argv);
    EXPECT_EQ(go.args, (std::vector<std::string>{"kernel", "console=hvc0", "-test.v"}));
    EXPECT_EQ(go.env, (std::vector<std::string>{"GOTRACEBACK=all", "GODEBUG=madvdontneed=1"}));
    EXPECT_EQ(go.aux_pairs, 4u);
    EXPECT_EQ(go.pagesize, 4096u);
    ASSERT_NE(go.random, nullptr);
    EXPECT_EQ(memcmp(go.random, random, 16), 0);
    // The walk lands exactly on the auxv pointer build() returned.
    EXPECT_EQ(reinterpret_cast<const void*>(pa.envp + go.env.size() + 1), static_cast<const void*>(pa.auxv));
}

TEST(ProcessArgs, GoWalkWithNoEnvironment) {
    const char* argv[] = {"kernel"};
    AuxEntry auxv[] = {{AT_RANDOM, 0x1234}, {AT_PAGESZ, 8192}};
    std::vector<uint64_t> v(words_needed(1, 0, 2));
    ProcessArgs pa = build(v.data(), v.size(), argv, 1, nullptr, 0, auxv, 2);
    GoView go = go_sysargs(pa.argc, pa.argv);
    EXPECT_TRUE(go.env.empty());
    EXPECT_EQ(go.pagesize, 8192u);
    EXPECT_EQ(reinterpret_cast<uint64_t>(go.random), 0x1234u);
    EXPECT_EQ(go.aux_pairs, 2u);
}

}  // namespace
