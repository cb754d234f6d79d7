// net_setup — the NET command: dom0's side of guest networking, made on first use.
//
//   NET <bridge> <mac> <address>/<prefix>     e.g. NET xenbr0 02:00:0a:63:00:01 10.99.0.1/24
//   reply: @NET <ms it took> <made|present>   or @ERR <hex why>
//
// Loads the network backend and bridge modules (the list the image builder wrote, in
// dependency order; a machine without that list is assumed to load them on demand), then makes
// the bridge: the given MAC, no IPv6, the address, up.  The values come from
// the checker (checker/network.py), which sends NET before its first RUN with a vif.  On first
// use rather than at boot: a host that runs no networked guest (stages 01-07) never loads
// netback nor has a bridge, and its start-up stays as it was; NET itself took 0.1-0.2 s under
// TCG (tools/benchmark-ping.py --host-boots prints it).
//
// A bridge of that name that exists already is left exactly as it is (a lab machine's own
// xenbr0 may carry its real network); it must then have the given address, or NET fails.
#pragma once

#include <string>

namespace agent {

// Returns "" on success (and sets *made: the bridge was created now), else the reason.
std::string net_up(const std::string& modules_order, const std::string& bridge, const std::string& mac,
                   const std::string& cidr, bool* made);

}  // namespace agent
