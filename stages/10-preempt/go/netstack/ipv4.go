package netstack

import "encoding/binary"

// The IPv4 header (RFC 791 section 3.1):
//
//	 0: version(4) IHL(4)   1: TOS   2-3: total length
//	 4-5: identification    6-7: flags(3: reserved, DF, MF) fragment offset(13, 8-byte units)
//	 8: TTL   9: protocol   10-11: header checksum
//	12-15: source          16-19: destination      20..IHL*4: options
//
// parseIPv4 checks what RFC 1122 section 3.2.1 asks a host to check, in the order Linux's
// ip_rcv_core does, so that a frame with several faults lands in the counter Linux would
// count it in: a header of at least 20 bytes, version 4 and IHL >= 5, the whole header there,
// the checksum, then the total length against the frame and the header.  Options are skipped:
// a host may ignore the ones it does not know (RFC 1122 section 3.2.1.8), and this stack knows
// none.

const (
	ipv4MinHeaderLen = 20
	ipv4FlagDF       = 0x4000 // don't fragment
	ipv4FlagMF       = 0x2000 // more fragments
	ipv4OffsetMask   = 0x1fff
	ipv4DefaultTTL   = 64 // Linux's net.ipv4.ip_default_ttl; RFC 1700's recommendation

	protoICMP = 1
)

type ipv4Header struct {
	headerLen  int // IHL*4, 20-60
	tos        uint8
	totalLen   int
	id         uint16
	df, mf     bool
	fragOffset int // in bytes
	ttl        uint8
	protocol   uint8
	src, dst   [4]byte
}

// isFragment: a datagram with more to come or one that is not the first piece.
func (h ipv4Header) isFragment() bool { return h.mf || h.fragOffset != 0 }

// parseIPv4 checks and decodes the header of packet (an Ethernet payload).  It returns the
// header, the whole header's bytes (options included: an ICMP error quotes them) and the
// payload cut to the total length, without the link's padding.
func parseIPv4(packet []byte) (h ipv4Header, header, payload []byte, reason DropReason) {
	if len(packet) < ipv4MinHeaderLen {
		return h, nil, nil, DropIPv4Truncated
	}
	if packet[0]>>4 != 4 {
		return h, nil, nil, DropIPv4Version
	}
	h.headerLen = int(packet[0]&0x0f) * 4
	if h.headerLen < ipv4MinHeaderLen {
		return h, nil, nil, DropIPv4HeaderLength
	}
	if len(packet) < h.headerLen {
		return h, nil, nil, DropIPv4Truncated
	}
	if checksum(packet[:h.headerLen]) != 0 {
		return h, nil, nil, DropIPv4Checksum
	}
	h.totalLen = int(binary.BigEndian.Uint16(packet[2:4]))
	if h.totalLen > len(packet) {
		return h, nil, nil, DropIPv4TotalLengthLong
	}
	if h.totalLen < h.headerLen {
		return h, nil, nil, DropIPv4TotalLengthShort
	}
	h.tos = packet[1]
	h.id = binary.BigEndian.Uint16(packet[4:6])
	flags := binary.BigEndian.Uint16(packet[6:8])
	h.df = flags&ipv4FlagDF != 0
	h.mf = flags&ipv4FlagMF != 0
	h.fragOffset = int(flags&ipv4OffsetMask) * 8
	h.ttl = packet[8]
	h.protocol = packet[9]
	copy(h.src[:], packet[12:16])
	copy(h.dst[:], packet[16:20])
	return h, packet[:h.headerLen], packet[h.headerLen:h.totalLen], 0
}

// appendIPv4Header appends a 20-byte header (no options) for h with its checksum; h.headerLen
// is ignored and totalLen must include the 20 bytes.
func appendIPv4Header(b []byte, h ipv4Header) []byte {
	start := len(b)
	flags := uint16(h.fragOffset/8) & ipv4OffsetMask
	if h.df {
		flags |= ipv4FlagDF
	}
	if h.mf {
		flags |= ipv4FlagMF
	}
	b = append(b, 0x45, h.tos)
	b = binary.BigEndian.AppendUint16(b, uint16(h.totalLen))
	b = binary.BigEndian.AppendUint16(b, h.id)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, h.ttl, h.protocol, 0, 0)
	b = append(b, h.src[:]...)
	b = append(b, h.dst[:]...)
	binary.BigEndian.PutUint16(b[start+10:], checksum(b[start:]))
	return b
}
