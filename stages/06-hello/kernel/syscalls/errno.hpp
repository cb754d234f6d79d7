// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h) the kernel returns.
#pragma once

namespace kernel::syscalls {

inline constexpr long kEPERM = 1, kENOENT = 2, kEINTR = 4, kEBADF = 9, kEAGAIN = 11, kENOMEM = 12,
                      kEFAULT = 14, kEINVAL = 22, kENOSYS = 38, kETIMEDOUT = 110;

}  // namespace kernel::syscalls
