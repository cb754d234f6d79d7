// The kernel's xenstore client: requests and replies over the ring page Xen's domain builder
// set up (start_info.store_mfn, with its event channel start_info.store_evtchn).
//
// Synchronous: a request is written to the ring, xenstored is notified, and the caller waits
// for the reply with the vCPU blocked in Xen (SCHEDOP_poll on the store's channel, with a
// deadline).  Used while the kernel brings its devices up, before Go starts.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include "../xen.hpp"
#include "store.hpp"

namespace kernel::xenbus {

// Maps the ring; prints nothing (the frontend says what it reads and writes).
void init_xenstore(const start_info& si);

// The client, as the Store interface.
Store& xenstore();

}  // namespace kernel::xenbus
