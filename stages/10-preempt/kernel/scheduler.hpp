// A scheduler for one vCPU, preemptive for Go code only.
//
// Threads switch when the running one blocks, sleeps, yields or exits -- and when its time slice ends while it runs Go code (preempt.cpp): never in the middle of the
// kernel's own code, so no locks are needed inside the kernel and a switch only saves the
// registers the C ABI says a callee keeps (arch/context_switch.S).  A thread preempted in Go
// code had everything else saved by the upcall that stopped it (arch/upcall_entry.S, fpu.hpp).
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stddef.h>

#include "thread.hpp"

namespace kernel::sched {

// Turns the code running on the boot stack into thread 1, "main".
void init();

Thread* current();

// A new runnable thread that will call entry(arg) on a fresh stack of stack_size bytes.
// nullptr when the heap cannot hold the stacks.
Thread* create(const char* name, void* (*entry)(void*), void* arg, size_t stack_size);

// Lets every other runnable thread run once, then returns.
void yield();

// From the event upcall, for a thread stopped in Go code: it goes to the back of the run
// queue, the devices and timers are polled, and the first runnable thread runs.  True if
// another thread ran before this one came back.
bool preempt();

// The live thread with this id (gettid's number), or nullptr.
Thread* find(int id);

// Every thread, newest first, linked by Thread::all_next (an exited one stays until it is
// reaped: check its state).
Thread* all_threads();

// Runs hook on every thread that has just been switched in, before it goes on, and on a new
// thread before its entry function (first_run true).  The preemption code's (preempt.cpp): it
// times the switch, and gives a new thread its first time slice.  One hook; nullptr: none.
void set_switch_in_hook(void (*hook)(bool first_run));

// Marks the current thread blocked (reason is shown in deadlock reports), runs others, and
// returns once someone called wake() on it.  Panics with a report of every thread if no
// thread could ever wake it.
void block(const char* reason);

// As block_until(), for a thread that waits for a device (console input): only the outside
// world may wake it, so while it waits an idle vCPU blocks in Xen instead of reporting a
// deadlock.
bool block_for_device(const char* reason, uint64_t deadline_ns);

// `poll` runs on every pass of the scheduler, before it picks the next thread: the console
// copies new input out of its ring there and wakes the readers, the network card collects
// its rings' responses.
void add_device_poll(void (*poll)());

// [book:block-until]
// As block(), with a deadline in system time (ns; 0: none).  Returns false if the deadline
// passed before anyone woke the thread.  While every thread sleeps, the vCPU is blocked in
// Xen until the earliest deadline (time/timer.cpp): the idle path never spins.
bool block_until(const char* reason, uint64_t deadline_ns);
// [book:block-until-end]

// [book:interruptible]
// As block_until (or block_for_device), for a system call's wait that a signal may end, as
// Linux's TASK_INTERRUPTIBLE sleeps: the call then returns -EINTR, and the signal is
// delivered on its way out (arch/syscall_entry.S).  Go retries every call that says EINTR.
enum class Wake { Woken, TimedOut, Interrupted };
Wake block_interruptible(const char* reason, uint64_t deadline_ns, bool device);

// Ends t's interruptible wait, if it is in one (a signal was sent to it).
void interrupt(Thread* t);
// [book:interruptible-end]

// Makes a blocked thread runnable again (it runs when the current thread blocks or yields).
void wake(Thread* t);

// Ends the current thread.  Its stacks are freed by the next thread that runs.
[[noreturn]] void exit_current();

// Threads that exist (not yet reaped).
long thread_count();

// One line per thread: id, name, state, what it waits on.
void print_threads();

}  // namespace kernel::sched
