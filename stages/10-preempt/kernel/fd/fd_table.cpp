// Book: chapter 06-hello (book/stages/06-hello.md).
#include "fd_table.hpp"

#include "../syscalls/errno.hpp"

namespace kernel::fd {

void FdTable::init() {
    for (auto& e : entries_) e = FdEntry{};
    entries_[0] = FdEntry{FdKind::Console, nullptr, O_RDONLY};
    entries_[1] = FdEntry{FdKind::Console, nullptr, O_WRONLY};
    entries_[2] = FdEntry{FdKind::Console, nullptr, O_WRONLY};
}

int FdTable::allocate(FdKind kind, void* object, uint32_t flags) {
    for (int fd = 0; fd < kMax; ++fd) {
        if (entries_[fd].kind != FdKind::Free) continue;
        entries_[fd] = FdEntry{kind, object, flags};
        return fd;
    }
    return -syscalls::kEMFILE;
}

FdEntry* FdTable::get(int fd) {
    if (fd < 0 || fd >= kMax || entries_[fd].kind == FdKind::Free) return nullptr;
    return &entries_[fd];
}

void FdTable::release(int fd) {
    if (fd >= 0 && fd < kMax) entries_[fd] = FdEntry{};
}

}  // namespace kernel::fd
