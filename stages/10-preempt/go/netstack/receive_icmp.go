package netstack

import "time"

// ICMP input: echo requests are answered (RFC 792; RFC 1122 section 3.2.2.6: every host MUST
// answer them, returning identifier, sequence number and data unchanged), echo replies go to
// the Ping waiting for them, every other type is counted and dropped.  The reply goes back
// to the link address the request came from, so answering needs no ARP; its IPv4 header is
// our own, not the request's (the request's options are not returned), with the request's
// type of service.

func (s *Stack) receiveICMP(linkSrc [6]byte, h ipv4Header, msg []byte, frames int, now time.Time, fx *effects) {
	m, r := parseICMP(msg)
	if r != 0 {
		s.drop(fx, r, frames)
		return
	}
	switch m.typ {
	case icmpEchoRequest:
		reply := appendICMPEcho(make([]byte, 0, len(msg)), icmpEchoReply, m.id, m.seq, m.body)
		// The log line before the reply: whoever reads the console and the ping output
		// together sees the request noted before it is answered.
		fx.logf("echo request from %s: seq=%d, %d data bytes", FormatIPv4(h.src), m.seq, len(m.body))
		s.handled(frames)
		if err := s.sendIPv4(linkSrc, h.src, protoICMP, h.tos, reply, fx); err != nil {
			// Not expected: the reply is as long as the request, which fitted in a datagram.
			fx.logf("echo reply to %s not sent: %v", FormatIPv4(h.src), err)
			return
		}
		s.c.EchoRequestsAnswered++
	case icmpEchoReply:
		key := pingKey{peer: h.src, id: m.id, seq: m.seq}
		w, ok := s.pings[key]
		if !ok {
			s.drop(fx, DropICMPUnexpectedReply, frames)
			return
		}
		delete(s.pings, key)
		w <- echoReply{data: append([]byte(nil), m.body...), at: now}
		s.c.EchoRepliesIn++
		s.handled(frames)
	default:
		s.drop(fx, DropICMPType, frames)
	}
}
