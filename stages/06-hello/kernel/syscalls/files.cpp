// read, write, close, pipe2, fcntl and epoll: the console for fds 0-2, pipes, and the epoll
// instances Go's netpoller needs (runtime/netpoll_epoll.go: epoll_create1, a non-blocking pipe
// to interrupt epoll_pwait, epoll_ctl; time.Sleep parks in epoll_pwait with a timeout).
// Book: chapter 06-hello (book/stages/06-hello.md).
#include "../console.hpp"
#include "../fd/epoll_set.hpp"
#include "../fd/fd_table.hpp"
#include "../fd/pipe_buffer.hpp"
#include "../heap.hpp"
#include "../scheduler.hpp"
#include "../thread_queue.hpp"
#include "../time/clock.hpp"
#include "errno.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

using fd::FdEntry;
using fd::FdKind;

struct Pipe {
    fd::PipeBuffer buffer;
    int readers = 1;
    int writers = 1;
    uint64_t changes = 0;  // for edge-triggered epoll (fd/epoll_set.hpp)
};


constinit fd::FdTable g_fds;
// Threads waiting for any descriptor to change (a blocking read or epoll_pwait).  A change
// wakes them all and each checks again: few threads ever wait here.
constinit ThreadQueue<Thread> g_io_waiters;

fd::FdTable& fds() { return g_fds; }

void io_changed() {
    while (Thread* t = g_io_waiters.pop_front()) sched::wake(t);
}

// Waits for io_changed() or the deadline (0: none).  False on timeout.
bool wait_for_io(const char* reason, uint64_t deadline) {
    Thread* self = sched::current();
    g_io_waiters.push_back(self);
    bool woken = sched::block_until(reason, deadline);
    if (!woken) g_io_waiters.remove(self);
    return woken;
}

fd::EpollSet::Readiness readiness(void*, int number) {
    FdEntry* e = fds().get(number);
    if (!e) return {fd::EPOLLHUP, 0};
    switch (e->kind) {
        case FdKind::PipeRead: {
            auto* p = static_cast<Pipe*>(e->object);
            uint32_t ev = (p->buffer.used() ? fd::EPOLLIN : 0) | (p->writers == 0 ? fd::EPOLLHUP | fd::EPOLLIN : 0);
            return {ev, p->changes};
        }
        case FdKind::PipeWrite: {
            auto* p = static_cast<Pipe*>(e->object);
            uint32_t ev = (p->buffer.space() ? fd::EPOLLOUT : 0) | (p->readers == 0 ? fd::EPOLLERR : 0);
            return {ev, p->changes};
        }
        case FdKind::Console:
            return {fd::EPOLLOUT, 0};  // this kernel reads no console input: never readable
        default:
            return {0, 0};
    }
}

}  // namespace

void init_files() {
    g_fds.init();
    console::printf("files: descriptors 0, 1, 2 are the console; pipes and epoll for Go's netpoller\n");
}

long sys_write(const Args& c) {
    FdEntry* e = fds().get(static_cast<int>(c.a[0]));
    const char* data = reinterpret_cast<const char*>(c.a[1]);
    size_t n = c.a[2];
    if (!e) return -kEBADF;
    switch (e->kind) {
        case FdKind::Console:
            // lab 06-hello begin: sys_write to the console
            console::write(data, n);
            return static_cast<long>(n);
            // lab 06-hello end
        case FdKind::PipeWrite: {
            auto* p = static_cast<Pipe*>(e->object);
            if (p->readers == 0) return -kEPIPE;
            size_t done = p->buffer.write(data, n);
            if (done == 0 && n > 0) return -kEAGAIN;  // full; Go's pipes are non-blocking
            ++p->changes;
            io_changed();
            return static_cast<long>(done);
        }
        default:
            return -kEBADF;
    }
}

long sys_read(const Args& c) {
    FdEntry* e = fds().get(static_cast<int>(c.a[0]));
    if (!e) return -kEBADF;
    if (e->kind == FdKind::Console) {
        set_note("console input is stage 07");
        return -kENOSYS;
    }
    if (e->kind != FdKind::PipeRead) return -kEBADF;
    auto* p = static_cast<Pipe*>(e->object);
    for (;;) {
        size_t done = p->buffer.read(reinterpret_cast<char*>(c.a[1]), c.a[2]);
        if (done > 0) {
            ++p->changes;
            io_changed();
            return static_cast<long>(done);
        }
        if (p->writers == 0 || c.a[2] == 0) return 0;  // end of file
        if (e->flags & fd::O_NONBLOCK) return -kEAGAIN;
        wait_for_io("a pipe read", 0);
        e = fds().get(static_cast<int>(c.a[0]));
        if (!e || e->kind != FdKind::PipeRead) return -kEBADF;
    }
}

long sys_close(const Args& c) {
    int number = static_cast<int>(c.a[0]);
    FdEntry* e = fds().get(number);
    if (!e) return -kEBADF;
    if (e->kind == FdKind::PipeRead || e->kind == FdKind::PipeWrite) {
        auto* p = static_cast<Pipe*>(e->object);
        if (e->kind == FdKind::PipeRead) --p->readers;
        else --p->writers;
        ++p->changes;
        if (p->readers == 0 && p->writers == 0) heap::kernel().free(p);
        io_changed();
    } else if (e->kind == FdKind::Epoll) {
        heap::kernel().free(e->object);
    }
    fds().release(number);
    // Linux drops a closed descriptor from every epoll set.
    for (int i = 0; i < fd::FdTable::kMax; ++i)
        if (FdEntry* other = fds().get(i); other && other->kind == FdKind::Epoll)
            static_cast<fd::EpollSet*>(other->object)->forget(number);
    return 0;
}

long sys_pipe2(const Args& c) {
    auto* out = reinterpret_cast<int*>(c.a[0]);
    uint32_t flags = static_cast<uint32_t>(c.a[1]);
    if (flags & ~(fd::O_NONBLOCK | fd::O_CLOEXEC)) return -kEINVAL;
    auto* p = static_cast<Pipe*>(heap::kernel().allocate(sizeof(Pipe)));
    if (!p) return -kENOMEM;
    *p = Pipe{};
    int r = fds().allocate(FdKind::PipeRead, p, flags | fd::O_RDONLY);
    int w = r < 0 ? r : fds().allocate(FdKind::PipeWrite, p, flags | fd::O_WRONLY);
    if (r < 0 || w < 0) {
        if (r >= 0) fds().release(r);
        heap::kernel().free(p);
        return -kEMFILE;
    }
    out[0] = r;
    out[1] = w;
    return 0;
}

long sys_fcntl(const Args& c) {
    constexpr uint64_t F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4;
    FdEntry* e = fds().get(static_cast<int>(c.a[0]));
    if (!e) return -kEBADF;
    switch (c.a[1]) {
        case F_GETFD: return (e->flags & fd::O_CLOEXEC) ? 1 : 0;  // FD_CLOEXEC
        case F_SETFD:
            e->flags = (c.a[2] & 1) ? (e->flags | fd::O_CLOEXEC) : (e->flags & ~fd::O_CLOEXEC);
            return 0;
        case F_GETFL: return e->flags & ~fd::O_CLOEXEC;
        case F_SETFL:
            e->flags = (e->flags & ~fd::O_NONBLOCK) | (static_cast<uint32_t>(c.a[2]) & fd::O_NONBLOCK);
            return 0;
        default: return -kEINVAL;
    }
}

long sys_epoll_create1(const Args& c) {
    auto* set = static_cast<fd::EpollSet*>(heap::kernel().allocate(sizeof(fd::EpollSet)));
    if (!set) return -kENOMEM;
    *set = fd::EpollSet{};
    int number = fds().allocate(FdKind::Epoll, set, static_cast<uint32_t>(c.a[0]) & fd::O_CLOEXEC);
    if (number < 0) heap::kernel().free(set);
    return number;
}

long sys_epoll_ctl(const Args& c) {
    FdEntry* e = fds().get(static_cast<int>(c.a[0]));
    if (!e || !fds().get(static_cast<int>(c.a[2]))) return -kEBADF;
    if (e->kind != FdKind::Epoll) return -kEINVAL;
    return static_cast<fd::EpollSet*>(e->object)
        ->control(static_cast<int>(c.a[1]), static_cast<int>(c.a[2]), reinterpret_cast<const fd::EpollEvent*>(c.a[3]));
}

// epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize); epoll_wait is the
// same without the signal mask (which changes nothing here: no signals are delivered).
long sys_epoll_pwait(const Args& c) {
    FdEntry* e = fds().get(static_cast<int>(c.a[0]));
    if (!e) return -kEBADF;
    if (e->kind != FdKind::Epoll) return -kEINVAL;
    auto* out = reinterpret_cast<fd::EpollEvent*>(c.a[1]);
    int max = static_cast<int>(c.a[2]);
    int timeout_ms = static_cast<int>(c.a[3]);
    if (max <= 0) return -kEINVAL;
    uint64_t deadline = timeout_ms > 0 ? time::monotonic_ns() + uint64_t(timeout_ms) * 1000000 : 0;
    for (;;) {
        e = fds().get(static_cast<int>(c.a[0]));
        if (!e || e->kind != FdKind::Epoll) return -kEBADF;
        size_t n = static_cast<fd::EpollSet*>(e->object)->collect(readiness, nullptr, out, static_cast<size_t>(max));
        if (n > 0 || timeout_ms == 0) return static_cast<long>(n);
        if (!wait_for_io("epoll_pwait", deadline)) return 0;  // timed out
    }
}

long sys_getrlimit(const Args& c) {
    struct Rlimit {
        uint64_t cur, max;
    };
    constexpr uint64_t RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIM_INFINITY = ~uint64_t{0};
    auto* out = reinterpret_cast<Rlimit*>(c.a[1]);
    if (!out) return -kEFAULT;
    if (c.a[0] == RLIMIT_NOFILE) *out = Rlimit{fd::FdTable::kMax, fd::FdTable::kMax};
    else if (c.a[0] == RLIMIT_STACK) *out = Rlimit{256 * 1024, 256 * 1024};  // libc/pthread.cpp
    else *out = Rlimit{RLIM_INFINITY, RLIM_INFINITY};
    return 0;
}

}  // namespace kernel::syscalls
