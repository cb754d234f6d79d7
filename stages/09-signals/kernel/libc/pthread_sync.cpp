// Mutexes and condition variables on the kernel's scheduler, which never switches threads in
// the middle of the kernel's own code (these functions included).
//
// Go's C glue uses one of each: cgo's exported functions wait in _cgo_wait_runtime_init_done
// (runtime/cgo/gcc_libinit.c) until the runtime, on another thread, signals that it has
// initialised.  A waiting thread really blocks: the scheduler runs the others.
//
// PTHREAD_MUTEX_INITIALIZER and PTHREAD_COND_INITIALIZER are all zero bytes in glibc, so our
// structures must mean "unlocked, nobody waiting" when zeroed; they fit in glibc's 40-byte
// pthread_mutex_t and 48-byte pthread_cond_t.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "../scheduler.hpp"
#include "../thread_queue.hpp"

namespace {

struct Mutex {
    kernel::Thread* owner;
    kernel::ThreadQueue<kernel::Thread> waiters;
};
static_assert(sizeof(Mutex) <= 40);

struct Cond {
    kernel::ThreadQueue<kernel::Thread> waiters;
};
static_assert(sizeof(Cond) <= 48);

void lock(Mutex* m) {
    kernel::Thread* self = kernel::sched::current();
    while (m->owner != nullptr) {
        m->waiters.push_back(self);
        kernel::sched::block("a pthread mutex");
    }
    m->owner = self;
}

void unlock(Mutex* m) {
    m->owner = nullptr;
    // The first waiter retries the lock when it runs (another thread may take it first).
    if (kernel::Thread* next = m->waiters.pop_front()) kernel::sched::wake(next);
}

}  // namespace

extern "C" {

int pthread_mutex_lock(void* mutex) {
    lock(static_cast<Mutex*>(mutex));
    return 0;
}

int pthread_mutex_unlock(void* mutex) {
    unlock(static_cast<Mutex*>(mutex));
    return 0;
}

int pthread_cond_wait(void* cond, void* mutex) {
    auto* c = static_cast<Cond*>(cond);
    auto* m = static_cast<Mutex*>(mutex);
    // Queue first, then release: no other thread runs in between (this is kernel code), so a
    // broadcast cannot be missed.
    c->waiters.push_back(kernel::sched::current());
    unlock(m);
    kernel::sched::block("a pthread condition variable");
    lock(m);
    return 0;
}

int pthread_cond_broadcast(void* cond) {
    auto* c = static_cast<Cond*>(cond);
    while (kernel::Thread* t = c->waiters.pop_front()) kernel::sched::wake(t);
    return 0;
}

}  // extern "C"
