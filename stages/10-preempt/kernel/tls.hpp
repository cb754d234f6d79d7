// Thread-local storage blocks, x86-64 "variant II" (Drepper, "ELF Handling For Thread-Local
// Storage", section 3.4.6; the System V x86-64 psABI):
//
//        TLS block of the image                 thread control block (TCB)
//     [ .tdata copy | .tbss zeros | pad ] [ self pointer | ... ]
//     ^ tp - offset                       ^ tp = FS base; %fs:0 holds tp itself
//
// offset = round_up(memsz, align) where memsz = size of .tdata + .tbss: that is the distance
// GNU ld uses when it relaxes a TLS access to local-exec, so Go's runtime.tlsg (.tbss, 8 bytes,
// the only TLS variable of a Go 1.19 c-archive) ends up at %fs:-8.
// Book: chapter 03-tls (book/stages/03-tls.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::tls {

// The TCB: the self pointer at %fs:0 (the ABI requires it; compilers load it to take the
// address of a TLS variable), and glibc's stack-protector canary slot at %fs:0x28 kept zeroed
// for C code built with -fstack-protector.
inline constexpr size_t kTcbSize = 64;

struct Template {
    const void* tdata;  // initial values
    size_t tdata_size;
    size_t tbss_size;   // zero-initialised tail
    size_t align;       // PT_TLS p_align
};

struct Layout {
    size_t offset;      // tp - start of the TLS data: round_up(memsz, p_align), as ld computes it
    size_t align;       // alignment of tp (at least 16)
    size_t block_size;  // bytes from the start of the data to the end of the TCB
    size_t alloc_size;  // what to allocate from a 16-byte aligned heap to fit one aligned block
};

Layout layout(const Template& t);

// Builds a block in memory of at least layout(t).alloc_size bytes (16-byte aligned) and
// returns its thread pointer, the value for the FS base.
uint64_t init_block(void* memory, const Template& t, const Layout& l);

// The kernel image's template (linker symbols).
Template image_template();

}  // namespace kernel::tls
