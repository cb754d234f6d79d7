// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "scheduler.hpp"

#include "console.hpp"
#include "format.hpp"
#include "heap.hpp"
#include "hypercall.hpp"
#include "panic.hpp"
#include "thread_queue.hpp"
#include "time/clock.hpp"
#include "time/timer.hpp"
#include "time/timer_queue.hpp"
#include "tls.hpp"

// arch/context_switch.S: saves the callee-saved registers on the current stack, stores the
// stack pointer in *save_rsp, loads new_rsp and pops the next thread's registers.
extern "C" void context_switch(uint64_t* save_rsp, uint64_t new_rsp);
// arch/context_switch.S: where a new thread's first switch "returns" to.
extern "C" void thread_first_run();

// Read by arch/syscall_entry.S to find the running thread's system-call stack.
extern "C" kernel::Thread* current_thread;
kernel::Thread* current_thread = nullptr;

namespace kernel {

const char* state_name(ThreadState s) {
    switch (s) {
        case ThreadState::Runnable: return "runnable";
        case ThreadState::Running: return "running";
        case ThreadState::Blocked: return "blocked";
        case ThreadState::Dead: return "dead";
    }
    return "?";
}

namespace sched {
namespace {

// Every thread's system-call stack.  Handlers are shallow; the console formatting is the
// deepest thing they do.
constexpr size_t kSyscallStackSize = 16 * 1024;

constinit Thread g_main;
Thread* g_all = nullptr;
constinit ThreadQueue<Thread> g_run_queue;
constinit time::TimerQueue<Thread> g_sleepers;
Thread* g_zombie = nullptr;  // exited thread whose stacks are freed once we are off them
int g_next_id = 1;

void* alloc_or_null(size_t size) { return heap::kernel().allocate(size); }

// Gives t its own copy of the image's TLS template; false when out of memory.
bool give_tls(Thread* t) {
    tls::Template tmpl = tls::image_template();
    tls::Layout layout = tls::layout(tmpl);
    t->tls_block = alloc_or_null(layout.alloc_size);
    if (!t->tls_block) return false;
    t->fs_base = tls::init_block(t->tls_block, tmpl, layout);
    return true;
}

// FS is per vCPU, not per thread: the scheduler swaps it with every switch, so each thread
// finds its own TLS (and Go its own g at %fs:-8).
void load_fs(const Thread* t) {
    if (long rc = hv::set_segment_base(SEGBASE_FS, t->fs_base); rc != 0)
        panic("HYPERVISOR_set_segment_base(SEGBASE_FS, 0x%lx) failed: %ld", t->fs_base, rc);
}

void link_thread(Thread* t, const char* name) {
    t->id = g_next_id++;
    snformat(t->name, sizeof t->name, "%s", name);
    t->all_next = g_all;
    g_all = t;
}

void unlink_thread(Thread* t) {
    for (Thread** p = &g_all; *p; p = &(*p)->all_next) {
        if (*p == t) {
            *p = t->all_next;
            return;
        }
    }
}

}  // namespace

// Frees what an exited thread left behind; runs on another thread's stack.
void reap() {
    Thread* z = g_zombie;
    if (!z) return;
    g_zombie = nullptr;
    unlink_thread(z);
    release_stack(&z->stack);
    release_stack(&z->syscall_stack);
    heap::kernel().free(z->tls_block);
    heap::kernel().free(z);
}

namespace {

// Moves every sleeper whose deadline has passed to the run queue.
void expire_timers() {
    if (g_sleepers.empty()) return;
    uint64_t now = time::monotonic_ns();
    while (Thread* t = g_sleepers.pop_expired(now)) {
        t->timed_out = true;
        t->state = ThreadState::Runnable;
        g_run_queue.push_back(t);
    }
}

[[noreturn]] void deadlock();

// The devices' polls (the console's and the network card's).
constexpr int kMaxDevicePolls = 4;
void (*g_device_polls[kMaxDevicePolls])() = {};
int g_device_poll_count = 0;
int g_device_waiters = 0;  // threads in block_for_device(): woken by the outside world

// The next thread to run; when none is runnable, blocks the vCPU until the earliest sleeper's
// deadline or a device's event.  Every pass first lets the devices look at their rings (input
// may have arrived while threads ran, with no wait to end).  With no sleeper and nobody
// waiting for a device either, nothing can ever run again: a deadlock.
Thread* pick_next() {
    for (;;) {
        expire_timers();
        for (int i = 0; i < g_device_poll_count; ++i) g_device_polls[i]();
        if (Thread* next = g_run_queue.pop_front()) return next;
        Thread* first = g_sleepers.earliest();
        if (!first && g_device_waiters == 0) deadlock();
        time::wait_until(first ? first->deadline : 0);
    }
}

void switch_to(Thread* next) {
    Thread* prev = current_thread;
    if (next == prev) {
        prev->state = ThreadState::Running;
        return;
    }
    // [book:switch-to]
    next->state = ThreadState::Running;
    current_thread = next;
    load_fs(next);  // HYPERVISOR_set_segment_base(SEGBASE_FS, next->fs_base)
    context_switch(&prev->saved_rsp, next->saved_rsp);
    // [book:switch-to-end]
    // Back on prev's stack: someone switched to us.
    reap();
}

void deadlock() {
    console::printf("\n");
    print_threads();
    panic("deadlock: thread %d \"%s\" blocks on %s, and no other thread can run to wake it",
          current_thread->id, current_thread->name, current_thread->wait_reason);
}

}  // namespace

void init() {
    link_thread(&g_main, "main");
    g_main.state = ThreadState::Running;
    if (!allocate_stack(kSyscallStackSize, &g_main.syscall_stack))
        panic("no memory for the main thread's system-call stack");
    g_main.syscall_stack_top = g_main.syscall_stack.top();
    if (!give_tls(&g_main)) panic("no memory for the main thread's TLS block");
    current_thread = &g_main;
    load_fs(&g_main);
    console::printf("scheduler: thread 1 \"main\" runs on the boot stack; threads switch only when they block\n");
}

Thread* current() { return current_thread; }

Thread* create(const char* name, void* (*entry)(void*), void* arg, size_t stack_size) {
    auto* t = static_cast<Thread*>(alloc_or_null(sizeof(Thread)));
    GuardedStack stack, sys_stack;
    bool have_stack = allocate_stack(stack_size, &stack);
    bool have_sys_stack = allocate_stack(kSyscallStackSize, &sys_stack);
    if (t) *t = Thread{};
    if (!t || !have_stack || !have_sys_stack || !give_tls(t)) {  // give_tls allocates nothing when it fails
        heap::kernel().free(t);
        release_stack(&stack);
        release_stack(&sys_stack);
        return nullptr;
    }
    link_thread(t, name);
    t->entry = entry;
    t->arg = arg;
    t->stack = stack;
    t->syscall_stack = sys_stack;
    t->syscall_stack_top = sys_stack.top();

    // The first switch to t pops six callee-saved registers (zero) and "returns" into
    // thread_first_run with the stack 16-byte aligned, as after a call.
    auto* sp = reinterpret_cast<uint64_t*>(stack.top());
    *--sp = 0;  // keeps thread_first_run's stack aligned like a called function's
    *--sp = reinterpret_cast<uint64_t>(thread_first_run);
    for (int i = 0; i < 6; ++i) *--sp = 0;  // rbx, rbp, r12-r15
    t->saved_rsp = reinterpret_cast<uint64_t>(sp);

    t->state = ThreadState::Runnable;
    g_run_queue.push_back(t);
    return t;
}

void yield() {
    expire_timers();
    Thread* next = g_run_queue.pop_front();
    if (!next) {
        // Nothing else here can run: a thread that yields is spinning until something changes,
        // and on one vCPU that something is often another domain (dom0 delivering the next
        // frame).  Give Xen the physical CPU for a moment instead of spinning on it.
        hv::yield();
        return;
    }
    current_thread->state = ThreadState::Runnable;
    g_run_queue.push_back(current_thread);
    switch_to(next);
}

void block(const char* reason) { block_until(reason, 0); }

bool block_for_device(const char* reason, uint64_t deadline_ns) {
    ++g_device_waiters;
    bool woken = block_until(reason, deadline_ns);
    --g_device_waiters;
    return woken;
}

void add_device_poll(void (*poll)()) {
    if (g_device_poll_count == kMaxDevicePolls) panic("sched::add_device_poll: more than %d devices", kMaxDevicePolls);
    g_device_polls[g_device_poll_count++] = poll;
}

bool block_until(const char* reason, uint64_t deadline_ns) {
    Thread* self = current_thread;
    self->state = ThreadState::Blocked;
    self->wait_reason = reason;
    self->timed_out = false;
    self->deadline = deadline_ns;
    if (deadline_ns != 0) g_sleepers.insert(self);
    switch_to(pick_next());
    self->wait_reason = nullptr;
    self->deadline = 0;
    return !self->timed_out;
}

void sleep_until(uint64_t deadline_ns) {
    if (deadline_ns <= time::monotonic_ns()) {
        yield();
        return;
    }
    block_until("nanosleep", deadline_ns);
}

void wake(Thread* t) {
    if (t->state != ThreadState::Blocked) return;
    if (t->deadline != 0) g_sleepers.remove(t);
    t->state = ThreadState::Runnable;
    g_run_queue.push_back(t);
}

void exit_current() {
    Thread* self = current_thread;
    self->state = ThreadState::Dead;
    self->wait_reason = "its own exit";
    Thread* next = pick_next();
    reap();  // at most one zombie at a time
    g_zombie = self;
    switch_to(next);
    __builtin_unreachable();
}

long thread_count() {
    long n = 0;
    for (Thread* t = g_all; t; t = t->all_next)
        if (t->state != ThreadState::Dead) ++n;
    return n;
}

void print_threads() {
    for (Thread* t = g_all; t; t = t->all_next) {
        console::printf("  thread %d \"%s\": %s", t->id, t->name, state_name(t->state));
        if (t->state == ThreadState::Blocked && t->wait_reason) console::printf(" on %s", t->wait_reason);
        if (t->state == ThreadState::Blocked && t->deadline) console::printf(" (with a timeout)");
        console::printf("\n");
    }
}

}  // namespace sched
}  // namespace kernel

// First code of every new thread (called from arch/context_switch.S).
extern "C" [[noreturn]] void thread_start() {
    using namespace kernel;
    sched::reap();  // the thread we came from may have exited
    Thread* self = current_thread;
    self->entry(self->arg);
    sched::exit_current();
}
