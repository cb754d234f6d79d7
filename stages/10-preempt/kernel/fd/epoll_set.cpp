// Book: chapter 06-hello (book/stages/06-hello.md).
#include "epoll_set.hpp"

#include "../syscalls/errno.hpp"

namespace kernel::fd {

using syscalls::kEEXIST, syscalls::kEINVAL, syscalls::kENOENT, syscalls::kENOSPC;

EpollSet::Interest* EpollSet::find(int fd) {
    for (size_t i = 0; i < count_; ++i)
        if (items_[i].fd == fd) return &items_[i];
    return nullptr;
}

long EpollSet::control(int op, int fd, const EpollEvent* event) {
    Interest* it = find(fd);
    switch (op) {
        case EPOLL_CTL_ADD:
            if (it) return -kEEXIST;
            if (!event) return -kEINVAL;
            if (count_ == kCapacity) return -kENOSPC;
            items_[count_++] = Interest{fd, event->events, event->data, 0};
            return 0;
        case EPOLL_CTL_MOD:
            if (!it) return -kENOENT;
            if (!event) return -kEINVAL;
            *it = Interest{fd, event->events, event->data, 0};
            return 0;
        case EPOLL_CTL_DEL:
            if (!it) return -kENOENT;
            *it = items_[--count_];
            return 0;
        default:
            return -kEINVAL;
    }
}

void EpollSet::forget(int fd) {
    if (Interest* it = find(fd)) *it = items_[--count_];
}

size_t EpollSet::collect(ReadinessFn readiness, void* context, EpollEvent* out, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < count_ && n < max; ++i) {
        Interest& it = items_[i];
        // Errors and hang-ups are always reported (epoll_ctl(2)), the rest only if asked for.
        Readiness r = readiness(context, it.fd);
        uint32_t ready = r.events & (it.events | EPOLLERR | EPOLLHUP);
        if (!ready) continue;
        if (it.events & EPOLLET) {
            if (it.reported == r.changes + 1) continue;  // reported, and nothing happened since
            it.reported = r.changes + 1;
        }
        out[n++] = EpollEvent{ready, it.data};
    }
    return n;
}

}  // namespace kernel::fd
