package netstack

import "time"

// IPv4 input: the header's checks (parseIPv4), then the addresses, then reassembly of
// fragments, then the protocol.
//
// Addresses (RFC 1122 section 3.2.1.3): a datagram from a broadcast, multicast, loopback or
// unspecified (0.0.0.0) source, or from our own address, is discarded, since no answer could
// go back to it.  Only datagrams for our own address are taken: this host forwards nothing,
// and it serves no broadcast or multicast.
//
// TTL 0 is dropped: RFC 791 says a datagram whose time to live is zero "must be destroyed".
// That is the kit's choice, not every stack's: RFC 1122 section 3.2.1.7 later told hosts not to
// discard a datagram just because its TTL is below 2, and Linux delivers such datagrams
// locally.  A TTL of 0 only comes from a broken or hostile sender, and the checker's corpus
// counts it as one more fault the stack must notice.
//
// Protocols: only ICMP.  Any other, once the datagram is whole, is answered with ICMP
// destination unreachable, code 2 "protocol unreachable" (RFC 1122 section 3.2.2.1), UDP and
// TCP included: there is no transport layer here to send port unreachable or a reset.

func (s *Stack) receiveIPv4(linkSrc [6]byte, packet []byte, now time.Time, fx *effects) {
	h, header, payload, r := parseIPv4(packet)
	if r != 0 {
		s.drop(fx, r, 1)
		return
	}
	switch {
	case h.ttl == 0:
		s.drop(fx, DropIPv4TTLZero, 1)
		return
	case isGroupIPv4(h.src) || isLoopbackIPv4(h.src) || h.src == zeroIP || (s.cfg.IP != zeroIP && h.src == s.cfg.IP):
		s.drop(fx, DropIPv4BadSource, 1)
		return
	case isGroupIPv4(h.dst):
		s.drop(fx, DropIPv4GroupDestination, 1)
		return
	case s.cfg.IP == zeroIP || h.dst != s.cfg.IP:
		s.drop(fx, DropIPv4NotForUs, 1)
		return
	}

	if !h.isFragment() {
		s.deliver(linkSrc, h, header, payload, 1, now, fx)
		return
	}
	s.c.FragmentsIn++
	out := s.reasm.add(h, header, payload, linkSrc, now)
	if out.reason != 0 {
		s.drop(fx, out.reason, out.dropped)
		return
	}
	if out.started && !s.expiryArmed {
		// One timer for all datagrams, armed for the earliest deadline (this one, if none
		// is armed), so that a flood of fragments cannot pile up timers.
		s.expiryArmed = true
		s.afterFunc(s.cfg.ReassemblyTimeout, s.expireFragments)
	}
	if out.done {
		s.c.DatagramsReassembled++
		s.deliver(linkSrc, out.header, out.headerBytes, out.payload, out.frames, now, fx)
	}
}

// deliver hands a whole datagram (made of frames frames) to its protocol.
func (s *Stack) deliver(linkSrc [6]byte, h ipv4Header, header, payload []byte, frames int, now time.Time, fx *effects) {
	if h.protocol == protoICMP {
		s.receiveICMP(linkSrc, h, payload, frames, now, fx)
		return
	}
	s.drop(fx, DropIPv4Protocol, frames)
	s.sendICMPError(linkSrc, h.src, icmpDestUnreachable, icmpCodeProtocolUnreachable, quote(header, payload), now, fx)
}

// quote is what an ICMP error carries of the datagram it is about: the header and the first
// 8 bytes of data (RFC 792).
func quote(header, payload []byte) []byte {
	n := len(payload)
	if n > icmpQuoteLen {
		n = icmpQuoteLen
	}
	return append(append(make([]byte, 0, len(header)+n), header...), payload[:n]...)
}

// expireFragments runs when the earliest reassembly deadline has come.
func (s *Stack) expireFragments() { s.apply(s.expired()) }

// expired discards the datagrams whose time is up and tells their senders with ICMP time
// exceeded, code 1, when fragment zero had come (RFC 1122 section 3.3.2: without it there is
// nothing to quote).
func (s *Stack) expired() effects {
	var fx effects
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fx
	}
	now := s.now()
	for _, e := range s.reasm.expire(now) {
		s.drop(&fx, DropFragmentTimeout, e.frames)
		if e.haveFirst && !quotesICMPError(e.firstBytes) {
			s.sendICMPError(e.linkSrc, e.src, icmpTimeExceeded, icmpCodeReassemblyTimeout, e.firstBytes, now, &fx)
		}
	}
	s.expiryArmed = false
	if next, ok := s.reasm.nextDeadline(); ok {
		s.expiryArmed = true
		s.afterFunc(next.Sub(now), s.expireFragments)
	}
	return fx
}

// quotesICMPError tells whether a quoted datagram is itself an ICMP error message, about which
// no ICMP error may be sent (RFC 1122 section 3.2.2).
func quotesICMPError(q []byte) bool {
	if len(q) < ipv4MinHeaderLen || q[9] != protoICMP {
		return false
	}
	hl := int(q[0]&0x0f) * 4
	if len(q) <= hl {
		return false
	}
	switch q[hl] {
	case icmpEchoReply, icmpEchoRequest, 13, 14, 15, 16, 17, 18: // echo, timestamp, information, mask
		return false
	}
	return true
}
