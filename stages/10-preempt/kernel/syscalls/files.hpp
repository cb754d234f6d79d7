// The descriptor table the file calls share (files.cpp owns it; open.cpp adds the device).
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include "../fd/fd_table.hpp"

namespace kernel::syscalls {

fd::FdTable& file_table();

}  // namespace kernel::syscalls
