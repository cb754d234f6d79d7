// The PV console: the guest's only output device.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "xen.hpp"

namespace kernel::console {

// Finds the console ring (a machine frame named in start_info) and its event channel.
void init(const start_info& si);

// Writes bytes to the ring, turning "\n" into "\r\n" for terminals; waits while the ring is full.
void write(const char* text, size_t length);

// Waits until xenconsoled has taken everything out of the ring (bounded), so that the last
// lines are not lost when the domain is destroyed right after it shuts down.
void flush();

// Runs before every write (once, not recursively): the system-call log uses it to print a
// summary line it was holding back, so the console stays in order.
void set_before_write(void (*hook)());

// The input side of the ring: copies up to n bytes the user typed (xenconsoled put them in
// in[]), frees their space and tells xenconsoled, so that it refills a full ring.  0: none.
size_t read_input(char* out, size_t n);

// The console's event channel: xenconsoled signals it when it added input or took output.
evtchn_port_t port();

void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintf(const char* fmt, va_list args);

}  // namespace kernel::console
