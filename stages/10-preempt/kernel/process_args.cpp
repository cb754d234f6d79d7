// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "process_args.hpp"

namespace kernel::rt0 {

ProcessArgs build(uint64_t* vector, size_t capacity, const char* const* argv, size_t argc,
                  const char* const* envp, size_t envc, const AuxEntry* auxv, size_t auxc) {
    if (capacity < words_needed(argc, envc, auxc)) return ProcessArgs{0, nullptr, nullptr, nullptr};
    uint64_t* p = vector;
    for (size_t i = 0; i < argc; ++i) *p++ = reinterpret_cast<uint64_t>(argv[i]);
    *p++ = 0;
    uint64_t* env_start = p;
    for (size_t i = 0; i < envc; ++i) *p++ = reinterpret_cast<uint64_t>(envp[i]);
    *p++ = 0;
    uint64_t* aux_start = p;
    for (size_t i = 0; i < auxc; ++i) {
        *p++ = auxv[i].key;
        *p++ = auxv[i].value;
    }
    *p++ = AT_NULL;
    *p++ = 0;
    return ProcessArgs{static_cast<int>(argc), reinterpret_cast<char**>(vector), reinterpret_cast<char**>(env_start),
                       reinterpret_cast<AuxEntry*>(aux_start)};
}

}  // namespace kernel::rt0
