package netstack

import "time"

// The first decision about a frame: is it well-formed, is it for us, and which protocol gets
// it.  Frames for us are those to our address and to broadcast; a device in a bridge (Xen's
// vif in dom0's bridge, a TAP) also sees unknown unicast flooded to every port and multicast
// nobody here joined, which are counted and dropped.

func (s *Stack) receiveEthernet(frame []byte, now time.Time, fx *effects) {
	h, payload, r := parseEthernet(frame)
	if r != 0 {
		s.drop(fx, r, 1)
		return
	}
	if len(frame) > etherHeaderLen+s.cfg.MTU {
		s.drop(fx, DropEthernetTooLong, 1)
		return
	}
	// A source address is always an individual one (IEEE 802 addressing: the I/G bit is
	// clear); our own as source means the frame is ours coming back (a loop in the bridge).
	if isGroupMAC(h.src) || h.src == s.cfg.MAC {
		s.drop(fx, DropEthernetBadSource, 1)
		return
	}
	broadcast := h.dst == broadcastMAC
	switch {
	case h.dst == s.cfg.MAC || broadcast:
	case isGroupMAC(h.dst):
		s.drop(fx, DropEthernetMulticast, 1)
		return
	default:
		s.drop(fx, DropEthernetNotForUs, 1)
		return
	}

	switch h.etherType {
	case etherTypeARP:
		s.receiveARP(payload, now, fx)
	case etherTypeIPv4:
		// RFC 1122 section 3.3.6: a datagram that came in a link-layer broadcast should be
		// discarded unless it is for an IP broadcast or multicast address, and this stack
		// serves neither; so every IPv4 broadcast frame goes.
		if broadcast {
			s.drop(fx, DropIPv4LinkBroadcast, 1)
			return
		}
		s.receiveIPv4(h.src, payload, now, fx)
	default:
		s.drop(fx, DropEthernetUnknownType, 1)
	}
}
