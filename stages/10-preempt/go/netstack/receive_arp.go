package netstack

import "time"

// ARP input, RFC 826's "Packet Reception" algorithm:
//
//	if the sender's protocol address is in the table, update its hardware address (merge);
//	if the target protocol address is ours:
//	    if not merged, add the sender to the table;
//	    if it is a request, reply to the sender with our hardware address.
//
// An ARP packet counts as handled when it was for us or refreshed an entry we have; one about
// two other hosts (a bridge floods every broadcast request) is "not for us".  A sender
// protocol address of 0.0.0.0 is an RFC 5227 probe: answered if it asks for our address
// (that is how its sender learns the address is taken), never learned from.

func (s *Stack) receiveARP(payload []byte, now time.Time, fx *effects) {
	p, r := parseARP(payload)
	if r != 0 {
		s.drop(fx, r, 1)
		return
	}
	if isGroupMAC(p.senderMAC) || p.senderMAC == zeroMAC || isGroupIPv4(p.senderIP) || isLoopbackIPv4(p.senderIP) {
		s.drop(fx, DropARPBadSender, 1)
		return
	}
	if s.cfg.IP != zeroIP && p.senderIP == s.cfg.IP {
		// Someone else uses our address (RFC 5227 section 2.4): nothing to learn, and
		// answering would only fight over it.
		s.drop(fx, DropARPConflict, 1)
		fx.logf("arp: address conflict: %s also claims %s", FormatMAC(p.senderMAC), FormatIPv4(p.senderIP))
		return
	}

	merged := false
	if _, known := s.arp.entry(p.senderIP); known && p.senderIP != zeroIP {
		s.learn(p.senderIP, p.senderMAC, now, fx)
		merged = true
	}
	if s.cfg.IP == zeroIP || p.targetIP != s.cfg.IP {
		if merged {
			s.handled(1)
		} else {
			s.drop(fx, DropARPNotForUs, 1)
		}
		return
	}
	if !merged && p.senderIP != zeroIP {
		s.learn(p.senderIP, p.senderMAC, now, fx)
	}
	s.handled(1)
	if p.op == arpReply {
		s.c.ARPRepliesIn++
		return
	}
	s.c.ARPRequestsAnswered++
	reply := arpPacket{op: arpReply, senderMAC: s.cfg.MAC, senderIP: s.cfg.IP, targetMAC: p.senderMAC, targetIP: p.senderIP}
	fx.frames = append(fx.frames, s.arpFrame(p.senderMAC, reply))
}

// learn records ip at mac; a known address that moved is worth a line (a new one is not: they
// come and go with the cache's expiry, at times a transcript cannot know).
func (s *Stack) learn(ip [4]byte, mac [6]byte, now time.Time, fx *effects) {
	old, hadOld := s.arp.entry(ip)
	s.arp.update(ip, mac, now)
	if hadOld && old.mac != mac {
		fx.logf("arp: %s moved from %s to %s", FormatIPv4(ip), FormatMAC(old.mac), FormatMAC(mac))
	}
}

// arpFrame builds an ARP frame to the link address dst.
func (s *Stack) arpFrame(dst [6]byte, p arpPacket) []byte {
	frame := make([]byte, 0, etherHeaderLen+arpLen)
	frame = appendEthernet(frame, ethernetHeader{dst: dst, src: s.cfg.MAC, etherType: etherTypeARP})
	return appendARP(frame, p)
}
