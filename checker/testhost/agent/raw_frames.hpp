// raw_frames — the FRAMES command: Ethernet frames from a file, sent onto a guest's vif.
//
//   FRAMES <id> <path>   path: a file in dom0 (a payload of the host boot, like the kernels)
//                        holding frames as [u16 big-endian length][that many bytes], repeated.
//   reply:  @FRAMES <id> <sent> <total>                      every frame was accepted, or
//           @FRAMES <id> <sent> <total> <index> <hex why>    frame <index> (0-based) was the
//                                                            first the kernel refused, and why
//           @TOOLERR <id> <hex why>                          nothing could be sent at all
//
// Why the vif and not the bridge: a frame transmitted on dom0's vif<domid>.0 goes straight to
// netback and from there into that guest's receive ring, whatever its destination MAC says, so
// malformed frames (a wrong MAC, a runt) reach the guest too instead of being dropped or
// flooded by the bridge.  AF_PACKET with SOCK_RAW sends each frame exactly as given (the kernel
// adds no header and computes no checksum; packet(7)).
#pragma once

#include <string>

namespace agent {

// Sends the file's frames on interface `ifname`, one sendto() each, and replies as above.
void send_frames(const std::string& id, const std::string& ifname, const std::string& path);

}  // namespace agent
