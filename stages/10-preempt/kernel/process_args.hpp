// The initial process stack a Linux program expects, as one contiguous vector:
//
//     argv[0] .. argv[argc-1], NULL, envp[0] .. envp[n-1], NULL, auxv pairs ..., AT_NULL, 0
//
// The runtime's initialiser gets (argc, argv, envp) like any .init_array function, and then
// finds the auxiliary vector by walking past argv and envp (runtime.sysargs in Go 1.19's
// runtime/os_linux.go), so the three must be adjacent exactly as on a real process stack.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::rt0 {

// Auxiliary vector keys (include/uapi/linux/auxvec.h).
inline constexpr uint64_t AT_NULL = 0, AT_PAGESZ = 6, AT_RANDOM = 25;

struct AuxEntry {
    uint64_t key;
    uint64_t value;
};

struct ProcessArgs {
    int argc;
    char** argv;
    char** envp;
    AuxEntry* auxv;
};

// Lays out argv (count entries), envp (count entries) and auxv (count entries, without the
// terminating AT_NULL, which is added) into `vector` (capacity words).  Returns argc = 0 and
// null pointers when the vector is too small.
ProcessArgs build(uint64_t* vector, size_t capacity, const char* const* argv, size_t argc,
                  const char* const* envp, size_t envc, const AuxEntry* auxv, size_t auxc);

// Words build() needs.
constexpr size_t words_needed(size_t argc, size_t envc, size_t auxc) { return argc + 1 + envc + 1 + 2 * (auxc + 1); }

}  // namespace kernel::rt0
