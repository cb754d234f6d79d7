// The interest list of one epoll instance and the readiness it reports.
//
// Go's netpoller registers its descriptors edge-triggered (EPOLLET, runtime/netpoll_epoll.go):
// it wants to hear when a descriptor *becomes* ready, and then reads or writes until EAGAIN.
// So an edge-triggered interest is reported when the descriptor is ready and something
// happened to it (data written, a peer closed) since the last report -- each descriptor counts
// such changes -- and not again while nothing changes; level-triggered interests are reported
// whenever ready.  Readiness comes from a callback, so the set can be tested on the host.
// Book: chapter 06-hello (book/stages/06-hello.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::fd {

// Linux's values (include/uapi/linux/eventpoll.h).
inline constexpr uint32_t EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010,
                          EPOLLRDHUP = 0x2000, EPOLLET = 1u << 31;
inline constexpr int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;

// struct epoll_event is packed on x86-64: 12 bytes.
struct __attribute__((packed)) EpollEvent {
    uint32_t events;
    uint64_t data;
};
static_assert(sizeof(EpollEvent) == 12);

class EpollSet {
public:
    static constexpr size_t kCapacity = 64;

    // 0 or -errno (EEXIST, ENOENT, ENOSPC, EINVAL), like epoll_ctl.
    long control(int op, int fd, const EpollEvent* event);

    // Fills up to max events for the descriptors that are ready now; returns how many.
    struct Readiness {
        uint32_t events;   // EPOLLIN|EPOLLOUT|EPOLLHUP... true now
        uint64_t changes;  // how many times the descriptor's state changed so far
    };
    using ReadinessFn = Readiness (*)(void* context, int fd);
    size_t collect(ReadinessFn readiness, void* context, EpollEvent* out, size_t max);

    // Forgets fd (it was closed): Linux removes a closed file from every epoll set.
    void forget(int fd);
    size_t size() const { return count_; }
    bool watches(int fd) { return find(fd) != nullptr; }

private:
    struct Interest {
        int fd;
        uint32_t events;     // what the caller asked for (with EPOLLET)
        uint64_t data;
        uint64_t reported;   // the descriptor's change count at the last report, +1 (0: never)
    };
    Interest* find(int fd);
    Interest items_[kCapacity];
    size_t count_ = 0;
};

}  // namespace kernel::fd
