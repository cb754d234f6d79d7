// A cooperative scheduler for one vCPU.
//
// Threads switch only when the running one blocks, yields or exits -- never in the middle of
// Go code -- so no locks are needed inside the kernel and a switch only saves the registers
// the C ABI says a callee keeps (arch/context_switch.S).
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

// Marks the current thread blocked (reason is shown in deadlock reports), runs others, and
// returns once someone called wake() on it.  Panics with a report of every thread if no
// thread could ever wake it.
void block(const char* reason);

// Makes a blocked thread runnable again (it runs when the current thread blocks or yields).
void wake(Thread* t);

// Ends the current thread.  Its stacks are freed by the next thread that runs.
[[noreturn]] void exit_current();

// One line per thread: id, name, state, what it waits on.
void print_threads();

}  // namespace kernel::sched
