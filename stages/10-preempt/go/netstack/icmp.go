package netstack

import "encoding/binary"

// ICMP messages (RFC 792): type, code, checksum over the whole message, four bytes whose
// meaning depends on the type, then the body.  Echo and echo reply carry an identifier and a
// sequence number in those four bytes and arbitrary data after them, which the reply returns
// unchanged (RFC 1122 section 3.2.2.6).  Error messages (destination unreachable, time
// exceeded) leave them unused (zero) and quote the offending datagram's header and first 8
// data bytes.

const (
	icmpHeaderLen       = 8
	icmpEchoReply       = 0
	icmpDestUnreachable = 3
	icmpEchoRequest     = 8
	icmpTimeExceeded    = 11

	icmpCodeProtocolUnreachable = 2 // destination unreachable
	icmpCodeReassemblyTimeout   = 1 // time exceeded: "fragment reassembly time exceeded"
)

type icmpMessage struct {
	typ, code uint8
	id, seq   uint16 // echo and echo reply
	body      []byte // after the 8-byte header: echo data, or an error's quote
}

// parseICMP checks the length and the checksum of a whole ICMP message (after reassembly, if
// it came in fragments) and decodes its header.
func parseICMP(b []byte) (icmpMessage, DropReason) {
	var m icmpMessage
	if len(b) < icmpHeaderLen {
		return m, DropICMPTruncated
	}
	if checksum(b) != 0 {
		return m, DropICMPChecksum
	}
	m.typ, m.code = b[0], b[1]
	m.id = binary.BigEndian.Uint16(b[4:6])
	m.seq = binary.BigEndian.Uint16(b[6:8])
	m.body = b[icmpHeaderLen:]
	return m, 0
}

// appendICMPEcho appends an echo request or reply with its checksum.
func appendICMPEcho(b []byte, typ uint8, id, seq uint16, data []byte) []byte {
	start := len(b)
	b = append(b, typ, 0, 0, 0)
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, seq)
	b = append(b, data...)
	binary.BigEndian.PutUint16(b[start+2:], checksum(b[start:]))
	return b
}

// appendICMPError appends an error message of the given type and code quoting the offending
// datagram (its header and as much of its data as the caller passes: 8 bytes, RFC 792).
func appendICMPError(b []byte, typ, code uint8, quote []byte) []byte {
	start := len(b)
	b = append(b, typ, code, 0, 0, 0, 0, 0, 0)
	b = append(b, quote...)
	binary.BigEndian.PutUint16(b[start+2:], checksum(b[start:]))
	return b
}
