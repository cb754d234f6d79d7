// Book: chapter 03-tls (book/stages/03-tls.md).
#include "tls.hpp"

extern "C" void* memcpy(void*, const void*, size_t);
extern "C" void* memset(void*, int, size_t);

namespace kernel::tls {
namespace {
constexpr size_t round_up(size_t v, size_t a) { return (v + a - 1) / a * a; }
}  // namespace

Layout layout(const Template& t) {
    // lab 03-tls begin: tls::layout
    // The offset must be exactly what GNU ld assumed when it relaxed the accesses to
    // local-exec: tpoff = -round_up(memsz, p_align) (bfd/elf64-x86-64.c, elf_x86_64_tpoff).
    // Go's tlsg: memsz 8, p_align 8 -> %fs:-8.  tp itself is kept 16-byte aligned as well.
    size_t tls_align = t.align ? t.align : 1;
    size_t align = tls_align < 16 ? 16 : tls_align;
    size_t offset = round_up(t.tdata_size + t.tbss_size, tls_align);
    size_t block = offset + kTcbSize;
    // Aligning tp inside an allocation can skip up to align - 1 bytes.
    return Layout{offset, align, block, block + align};
    // lab 03-tls end
}

uint64_t init_block(void* memory, const Template& t, const Layout& l) {
    // lab 03-tls begin: tls::init_block
    auto base = reinterpret_cast<uintptr_t>(memory);
    // tp must be aligned; the data starts `offset` (a multiple of align) below it.
    uintptr_t tp = round_up(base + l.offset, l.align);
    auto* data = reinterpret_cast<char*>(tp - l.offset);
    memset(data, 0, l.offset + kTcbSize);
    if (t.tdata_size) memcpy(data, t.tdata, t.tdata_size);
    *reinterpret_cast<uint64_t*>(tp) = tp;  // %fs:0 = tp
    return tp;
    // lab 03-tls end
}

}  // namespace kernel::tls
