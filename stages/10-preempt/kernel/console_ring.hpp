// Index arithmetic of Xen's console ring (xen/include/public/io/console.h).
//
// The ring is a power-of-two byte array with free-running 32-bit producer and consumer
// counters: they are never reduced modulo the size, only masked when indexing, and they wrap
// at 2^32.  So "bytes in use" is prod - cons in unsigned 32-bit arithmetic, which stays correct
// across the wrap.  Kept free of any Xen call so the host tests can run it.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::ring {

using Index = uint32_t;  // XENCONS_RING_IDX

constexpr Index used(Index prod, Index cons) { return prod - cons; }

constexpr Index free_space(Index prod, Index cons, size_t size) {
    Index u = used(prod, cons);
    return u >= size ? 0 : static_cast<Index>(size) - u;
}

constexpr size_t slot(Index idx, size_t size) { return idx & (size - 1); }

// Copies as much of data as fits into the ring; advances prod (our private copy) and returns
// how many bytes were written.  The caller publishes prod after a write barrier.
inline size_t write(char* ring, size_t size, Index& prod, Index cons, const char* data, size_t n) {
    size_t room = free_space(prod, cons, size);
    size_t count = n < room ? n : room;
    for (size_t i = 0; i < count; ++i) ring[slot(prod++, size)] = data[i];
    return count;
}

// Copies up to n bytes out of the ring; advances cons and returns how many were read.
inline size_t read(const char* ring, size_t size, Index prod, Index& cons, char* out, size_t n) {
    size_t avail = used(prod, cons);
    size_t count = n < avail ? n : avail;
    for (size_t i = 0; i < count; ++i) out[i] = ring[slot(cons++, size)];
    return count;
}

}  // namespace kernel::ring
