// Book: chapter 01-link (book/stages/01-link.md).
#include "ksyms.hpp"

namespace kernel::ksyms {

Match lookup(const Table& table, uint64_t address) {
    size_t lo = 0, hi = table.count;  // find the first entry with address > target
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table.entries[mid].address <= address) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return {nullptr, 0};
    const Entry& e = table.entries[lo - 1];
    uint64_t offset = address - e.address;
    if (e.size != 0 && offset >= e.size) return {nullptr, 0};
    return {table.names + e.name_offset, offset};
}

}  // namespace kernel::ksyms
