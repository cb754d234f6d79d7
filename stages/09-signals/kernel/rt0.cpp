// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "rt0.hpp"

#include <stdint.h>

#include "cmdline.hpp"
#include "console.hpp"
#include "ksyms.hpp"
#include "panic.hpp"
#include "process_args.hpp"
#include "scheduler.hpp"
#include "string.hpp"
#include "tls.hpp"

// From the linker script.
extern "C" void (*__init_array_start[])(int, char**, char**);
extern "C" void (*__init_array_end[])(int, char**, char**);
extern "C" char _tdata_size[], _tbss_size[];  // absolute symbols: their address is the size

namespace kernel::rt0 {
namespace {

// Asynchronous preemption needs SIGURG, sent with tgkill, delivered to a thread running Go
// code; this kernel delivers only the signals of faults, and never switches a thread out in
// the middle of Go code.  GODEBUG turns it off (runtime/preempt.go, debug.asyncpreemptoff).
// (No harddecommit=1: go-patches/0007 makes the runtime commit and decommit heap memory with
// mmap under this kernel whatever GODEBUG says, even before the runtime has read GODEBUG.)
// GOTRACEBACK=single (Go's default, said out loud): a panic prints the panicking goroutine's
// trace, so a student sees where the program panicked.  Its file names are stable (the
// archive is built with -trimpath); its addresses change with every build, and the stage's
// [[normalize]] rules hide them (pc=, +0x offsets, pointer arguments).
constexpr size_t kMaxArgs = 8;
const char* g_argv[kMaxArgs] = {"goapp"};
char g_arg_text[256];
// The devices add their settings after these (add_environment).
constexpr size_t kMaxEnv = 8;
const char* g_envp[kMaxEnv] = {"GODEBUG=asyncpreemptoff=1", "GOTRACEBACK=single"};
size_t g_envc = 2;
char g_env_text[256];
size_t g_env_used = 0;

alignas(16) uint8_t g_random[16];  // AT_RANDOM: the runtime seeds its hash functions from it
uint64_t g_vector[words_needed(kMaxArgs, kMaxEnv, 2)];

bool starts_with(const char* s, const char* prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return false;
    return true;
}

// Copies the non-option words of the command line into g_arg_text and points g_argv at them.
size_t split_arguments(const char* cmdline) {
    size_t argc = 1, used = 0, len;
    const char* cursor = cmdline ? cmdline : "";
    while (const char* word = cmdline::next_word(&cursor, &len)) {
        if (argc == kMaxArgs) break;
        if (starts_with(word, "selftest=") || starts_with(word, "strace=")) continue;
        if (used + len + 1 > sizeof g_arg_text) break;
        for (size_t i = 0; i < len; ++i) g_arg_text[used + i] = word[i];
        g_arg_text[used + len] = '\0';
        g_argv[argc++] = &g_arg_text[used];
        used += len + 1;
    }
    return argc;
}

ProcessArgs g_args;
bool g_done = false;
Thread* g_waiter = nullptr;

// AT_RANDOM should be unpredictable.  A PV guest has no entropy device before netfront/xenstore,
// so the TSC, stirred with splitmix64, has to do: good enough for hash seeds, not for secrets.
void fill_random(uint8_t* out, size_t n) {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t x = (uint64_t{hi} << 32) | lo;
    for (size_t i = 0; i < n; i += 8) {
        x += 0x9e3779b97f4a7c15;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        z ^= z >> 31;
        for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<uint8_t>(z >> (8 * j));
    }
}

void* initialize_go(void*) {
    // lab 02-rt0 begin: initialize_go
    size_t count = static_cast<size_t>(__init_array_end - __init_array_start);
    for (size_t i = 0; i < count; ++i) {
        auto fn = __init_array_start[i];
        auto sym = ksyms::lookup(ksyms::kernel_table(), reinterpret_cast<uint64_t>(fn));
        console::printf("[rt0] .init_array[%lu] = %s(argc %d, argv, envp)\n", i, sym.name ? sym.name : "?", g_args.argc);
        fn(g_args.argc, g_args.argv, g_args.envp);
        console::printf("[rt0] .init_array[%lu] returned\n", i);
    }
    g_done = true;
    if (g_waiter) sched::wake(g_waiter);
    return nullptr;
    // lab 02-rt0 end
}

}  // namespace

bool add_environment(const char* entry) {
    size_t len = strlen(entry);
    if (g_envc == kMaxEnv || g_env_used + len + 1 > sizeof g_env_text) return false;
    char* copy = &g_env_text[g_env_used];
    for (size_t i = 0; i <= len; ++i) copy[i] = entry[i];
    g_env_used += len + 1;
    g_envp[g_envc++] = copy;
    return true;
}

void run_init_array(const char* cmdline) {
    console::printf("Go c-archive: .init_array has %ld entry; TLS template .tdata %ld bytes, .tbss %ld bytes\n",
                    static_cast<long>(__init_array_end - __init_array_start), reinterpret_cast<long>(_tdata_size),
                    reinterpret_cast<long>(_tbss_size));
    tls::Layout l = tls::layout(tls::image_template());
    console::printf("TLS: each thread gets %lu bytes of TLS data below its thread pointer and a %lu-byte TCB at it;\n"
                    "     FS base = thread pointer, %%fs:0 = itself, Go's g at %%fs:-8 (set on every switch)\n",
                    l.offset, tls::kTcbSize);
    fill_random(g_random, sizeof g_random);
    const AuxEntry aux[] = {{AT_PAGESZ, 4096}, {AT_RANDOM, reinterpret_cast<uint64_t>(g_random)}};
    size_t argc = split_arguments(cmdline);
    g_args = build(g_vector, sizeof g_vector / sizeof g_vector[0], g_argv, argc, g_envp, g_envc, aux, 2);
    if (!g_args.argv) panic("rt0: the argument vector does not fit");

    console::printf("[rt0] argv ");
    for (size_t i = 0; i < argc; ++i) console::printf(" \"%s\"", g_args.argv[i]);
    console::printf("\n");
    for (size_t i = 0; i < g_envc; ++i) console::printf("[rt0] envp  \"%s\"\n", g_args.envp[i]);
    console::printf("[rt0] auxv  AT_PAGESZ 4096, AT_RANDOM (16 bytes from the TSC), AT_NULL; no AT_SYSINFO_EHDR: no vDSO\n");

    Thread* t = sched::create("initialize_go", initialize_go, nullptr, 256 * 1024);
    if (!t) panic("rt0: no memory for the initialize_go thread");
    console::printf("[rt0] thread %d \"%s\" runs .init_array; thread %d \"%s\" waits for it\n", t->id, t->name,
                    sched::current()->id, sched::current()->name);
    g_waiter = sched::current();
    while (!g_done) sched::block("initialize_go to finish .init_array");
    g_waiter = nullptr;
}

}  // namespace kernel::rt0
