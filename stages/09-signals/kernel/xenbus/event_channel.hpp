// Event channels a driver makes itself: an unbound port that the backend binds to, notifying
// it, and the pending bit that says the other side signalled us.
//
// Event delivery stays masked (time/timer.hpp): we never take an upcall.  The idle vCPU polls
// the driver's port together with the others, and the driver looks at its rings on every pass
// of the scheduler, so the pending bit is only a wake-up, never the record of work.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include "../xen.hpp"

namespace kernel::evtchn {

// EVTCHNOP_alloc_unbound: a port of ours that domain `remote` may bind to (the backend reads
// its number from xenstore).  0 on failure (*rc says why).
evtchn_port_t alloc_unbound(domid_t remote, long* rc);

// EVTCHNOP_send.
void notify(evtchn_port_t port);

// EVTCHNOP_close: our port is free again; a backend bound to it keeps its end, unbound
// (event_channel.h).  Xen's answer: 0, or a negative errno value (xen/include/public/errno.h).
long close(evtchn_port_t port);

}  // namespace kernel::evtchn
