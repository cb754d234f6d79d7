package netstack

import "time"

// Output: our IPv4 datagrams, fragmented to the MTU when they do not fit, and ICMP errors.
// Called under the lock; the frames go into fx and are written by apply.

// sendIPv4 queues a datagram from our address to dst, whose link address is linkDst.
//
// Identification: one counter for every datagram we send, so fragments of two datagrams to
// the same peer never share one within the counter's wrap (RFC 791; RFC 6864 asks for
// uniqueness per source, destination and protocol while fragments may be in flight).
// DF stays clear so that a large echo reply can be fragmented like its request was.
func (s *Stack) sendIPv4(linkDst [6]byte, dst [4]byte, protocol, tos uint8, payload []byte, fx *effects) error {
	link := appendEthernet(make([]byte, 0, etherHeaderLen), ethernetHeader{dst: linkDst, src: s.cfg.MAC, etherType: etherTypeIPv4})
	h := ipv4Header{tos: tos, id: s.ipID, ttl: ipv4DefaultTTL, protocol: protocol, src: s.cfg.IP, dst: dst}
	frames, err := ipv4Frames(link, h, payload, s.cfg.MTU)
	if err != nil {
		return err
	}
	s.ipID++
	if len(frames) > 1 {
		s.c.DatagramsFragmented++
		s.c.FragmentsOut += uint64(len(frames))
	}
	fx.frames = append(fx.frames, frames...)
	return nil
}

// sendICMPError queues an ICMP error about a datagram from dst (link address linkDst), quoting
// q, unless the rate limit says no.
func (s *Stack) sendICMPError(linkDst [6]byte, dst [4]byte, typ, code uint8, q []byte, now time.Time, fx *effects) {
	if !s.icmpErrs.allow(now) {
		s.c.ICMPErrorsRateLimited++
		return
	}
	msg := appendICMPError(make([]byte, 0, icmpHeaderLen+len(q)), typ, code, q)
	if s.sendIPv4(linkDst, dst, protoICMP, 0, msg, fx) != nil {
		return // a quote is at most 68 bytes: cannot fail
	}
	switch typ {
	case icmpDestUnreachable:
		s.c.DestUnreachableSent++
	case icmpTimeExceeded:
		s.c.TimeExceededSent++
	}
}
