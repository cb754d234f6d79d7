// The grant table's v1 entries and which of them are in use: the bookkeeping half of the
// grant table, free of hypercalls so the host tests can run it (xen/grant_table.hpp maps the
// real table and holds the kernel's one instance).
//
// A grant entry lets one other domain reach one of our frames (xen/include/public/grant_table.h):
// we write the frame and the domain that may use it, then the flags that make it valid.  The
// backend then copies into or out of the frame (netback uses GNTTABOP_copy); while it does,
// Xen sets GTF_reading / GTF_writing in our entry.  Ending access is clearing the flags with a
// compare-exchange that fails while either bit is set: reusing a frame the backend still writes
// would let it scribble over whatever we put there next.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../address.hpp"
#include "../xen.hpp"

namespace kernel::grant {

// A grant reference: an index into the table, what the backend is told (tx-ring-ref, gref).
struct Ref {
    uint32_t value;
    constexpr explicit Ref(uint32_t v) : value(v) {}
    friend constexpr bool operator==(Ref, Ref) = default;
};

// The first refs are Xen's and the toolstack's (GNTTAB_NR_RESERVED_ENTRIES: ref 0 is the
// console ring, 1 the xenstore ring, as libxl sets them up for a PV guest): never handed out.
inline constexpr uint32_t kReserved = GNTTAB_NR_RESERVED_ENTRIES;

enum class EndResult {
    Ended,       // access revoked; the ref is free again
    InUse,       // the backend is reading or writing the frame right now: try again later
    NotGranted,  // the ref was not granted (a bug in the caller)
};

class Entries {
public:
    static constexpr size_t kMaxEntries = 4 * (kPageSize / sizeof(grant_entry_v1_t));  // 4 frames

    // Takes over `table` (count entries, at most kMaxEntries).  Entries kReserved.. are free.
    void init(grant_entry_v1_t* table, size_t count);
    // Lets domain `domid` reach `frame` (read-only or writable).  False when no ref is free.
    bool grant(domid_t domid, Mfn frame, bool readonly, Ref* out);
    // Revokes access if the other side is not using the frame (see the header comment).
    EndResult end_access(Ref ref);
    size_t free_count() const { return free_count_; }
    size_t size() const { return count_; }

private:
    static constexpr uint32_t kNone = 0xffffffff;
    grant_entry_v1_t* table_ = nullptr;
    size_t count_ = 0;
    size_t free_count_ = 0;
    uint32_t free_head_ = kNone;
    uint32_t next_[kMaxEntries] = {};  // free list; kNone ends it
    bool granted_[kMaxEntries] = {};
};

}  // namespace kernel::grant
