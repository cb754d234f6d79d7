// The console as a terminal: what the user types on Xen's PV console, through the line
// discipline (tty/line_discipline.hpp), to the program's read(0).
//
// Input arrives in the ring's in[] half; xenconsoled signals the console's event channel.  The
// kernel keeps event delivery masked (time/timer.hpp), so nothing interrupts a thread: the
// idle vCPU polls the console's channel together with the timer's, and the scheduler calls
// poll() on every pass.  poll() copies what fits into the line discipline, echoes it, and
// wakes the threads waiting for input.
// Book: chapter 07-console-read (book/stages/07-console-read.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::tty {

// Hooks the console into the scheduler and the idle path; prints one line.
void init();

// Moves typed bytes from the ring through the line discipline (see tty.cpp).
void poll();

// read() on the console: at most one line; 0 at end of file (^D at the start of a line);
// -EAGAIN while neither is there (the caller waits, see set_on_input).
long read(char* out, size_t n);

// `hook` runs whenever a line or an end of file has arrived: the file layer wakes the threads
// blocked in read(0) or epoll_pwait with it.
void set_on_input(void (*hook)());

// For epoll: a line or an end of file is waiting, and a counter that changes whenever that
// may have changed (edge-triggered interest, fd/epoll_set.hpp).
bool readable();
uint64_t changes();

}  // namespace kernel::tty
