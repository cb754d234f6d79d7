// Describes Xen's start_info page in words, for the boot banner.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include "format.hpp"
#include "xen.hpp"

namespace kernel {

// Writes one line per field.  Machine frames are printed as "mfn 0x..." and machine addresses as
// "maddr 0x...", image-layout addresses as "vaddr 0x...", so the checker can normalise them.
void report_start_info(const start_info& si, Sink sink, void* context);

// The SIF_* flags as words ("privileged initdomain"), or "none".
void describe_sif_flags(uint32_t flags, char* buf, size_t size);

}  // namespace kernel
