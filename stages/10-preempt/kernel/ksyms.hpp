// The kernel's own symbol table, for fault reports ("rip = runtime.cgocallback+0x3c").
//
// The build links the kernel twice: the first link's `nm` output is turned into a sorted table
// (tools/gen_ksyms.py) that the second link places in the last loadable segment (.ksyms), so
// adding it moves no other symbol.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::ksyms {

struct Entry {
    uint64_t address;
    uint32_t size;         // 0 when the symbol's size is unknown
    uint32_t name_offset;  // into the string blob
};

struct Table {
    const Entry* entries;  // sorted by address
    size_t count;
    const char* names;
};

struct Match {
    const char* name;  // nullptr when no symbol covers the address
    uint64_t offset;
};

// The symbol that contains `address`: the last entry at or below it, if the address is inside
// that symbol's size (or the size is unknown and the address precedes the next symbol).
Match lookup(const Table& table, uint64_t address);

// The table the build embedded in this kernel.
const Table& kernel_table();

}  // namespace kernel::ksyms
