// Book: chapter 08-ping (book/stages/08-ping.md).
#include "grant_entries.hpp"

namespace kernel::grant {

void Entries::init(grant_entry_v1_t* table, size_t count) {
    table_ = table;
    count_ = count > kMaxEntries ? kMaxEntries : count;
    free_head_ = kNone;
    free_count_ = 0;
    // Pushed in reverse so that the lowest refs are handed out first (easier to read in a log).
    for (size_t i = count_; i-- > kReserved;) {
        next_[i] = free_head_;
        free_head_ = static_cast<uint32_t>(i);
        granted_[i] = false;
        ++free_count_;
    }
}

// [book:grant]
bool Entries::grant(domid_t domid, Mfn frame, bool readonly, Ref* out) {
    if (free_head_ == kNone) return false;
    uint32_t ref = free_head_;
    free_head_ = next_[ref];
    --free_count_;
    granted_[ref] = true;
    grant_entry_v1_t& e = table_[ref];
    // grant_table.h: "the frame and domid fields must be written before the flags" -- once
    // GTF_permit_access is visible, Xen may act on the entry at once.
    e.frame = static_cast<uint32_t>(frame.value);
    e.domid = domid;
    __atomic_thread_fence(__ATOMIC_RELEASE);  // Linux's wmb() in gnttab_update_entry_v1
    uint16_t flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
    __atomic_store_n(&e.flags, flags, __ATOMIC_RELEASE);
    *out = Ref{ref};
    return true;
}
// [book:grant-end]

// [book:end-access]
EndResult Entries::end_access(Ref ref) {
    if (ref.value < kReserved || ref.value >= count_ || !granted_[ref.value]) return EndResult::NotGranted;
    uint16_t* flags = &table_[ref.value].flags;
    uint16_t seen = __atomic_load_n(flags, __ATOMIC_ACQUIRE);
    // As Linux's gnttab_end_foreign_access_ref_v1: clear the flags only if they still say what
    // we read; Xen sets GTF_reading/GTF_writing with an atomic operation of its own, so a plain
    // store could lose a bit it set just now.
    for (;;) {
        if (seen & (GTF_reading | GTF_writing)) return EndResult::InUse;
        if (__atomic_compare_exchange_n(flags, &seen, uint16_t{0}, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
    }
    granted_[ref.value] = false;
    next_[ref.value] = free_head_;
    free_head_ = ref.value;
    ++free_count_;
    return EndResult::Ended;
}
// [book:end-access-end]

}  // namespace kernel::grant
