// The symbol table embedded by the second link pass (see ksyms.hpp).
// Book: chapter 01-link (book/stages/01-link.md).
#include "ksyms.hpp"

// Emitted by tools/gen_ksyms.py into the .ksyms section.
extern "C" const kernel::ksyms::Entry ksyms_entries[];
extern "C" const uint64_t ksyms_count;
extern "C" const char ksyms_names[];

namespace kernel::ksyms {

const Table& kernel_table() {
    static const Table table{ksyms_entries, ksyms_count, ksyms_names};
    return table;
}

}  // namespace kernel::ksyms
