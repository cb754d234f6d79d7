// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h): every one the kernel
// returns or names is here, so no file spells an errno as a bare number.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

namespace kernel::syscalls {

inline constexpr long kEPERM = 1;
inline constexpr long kENOENT = 2;
inline constexpr long kESRCH = 3;
inline constexpr long kEINTR = 4;
inline constexpr long kEIO = 5;
inline constexpr long kEBADF = 9;
inline constexpr long kECHILD = 10;
inline constexpr long kEAGAIN = 11;
inline constexpr long kENOMEM = 12;
inline constexpr long kEACCES = 13;
inline constexpr long kEFAULT = 14;
inline constexpr long kEBUSY = 16;
inline constexpr long kEEXIST = 17;
inline constexpr long kENODEV = 19;
inline constexpr long kEINVAL = 22;
inline constexpr long kEMFILE = 24;
inline constexpr long kENOTTY = 25;
inline constexpr long kENOSPC = 28;
inline constexpr long kESPIPE = 29;
inline constexpr long kEPIPE = 32;
inline constexpr long kERANGE = 34;
inline constexpr long kENOSYS = 38;
inline constexpr long kEMSGSIZE = 90;
inline constexpr long kETIMEDOUT = 110;

}  // namespace kernel::syscalls
