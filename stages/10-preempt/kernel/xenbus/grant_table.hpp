// The kernel's grant table: the frames Xen keeps the table in (GNTTABOP_setup_table), mapped
// into our address space, and the one set of entries every driver takes refs from.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include "grant_entries.hpp"

namespace kernel::grant {

// Asks Xen for the table's frames and maps them; prints one line.  Panics if Xen refuses.
void init();

Entries& table();

}  // namespace kernel::grant
