package netstack

import "encoding/binary"

// ARP packets (RFC 826) for Ethernet and IPv4 only: hardware type 1, protocol type 0x0800,
// address lengths 6 and 4, so 28 bytes.  The lengths are checked before the packet's size
// because they decide where the addresses are; a packet with other lengths is someone else's
// protocol and is refused whole, as Linux's arp_rcv refuses a hardware address length other
// than the device's or a protocol address length other than 4.

const (
	arpFixedLen     = 8 // htype, ptype, hlen, plen, op
	arpLen          = arpFixedLen + 2*(6+4)
	arpHardwareType = 1 // Ethernet (10Mb), RFC 826 / IANA "Hardware Types"
	arpRequest      = 1
	arpReply        = 2
)

type arpPacket struct {
	op                   uint16
	senderMAC, targetMAC [6]byte
	senderIP, targetIP   [4]byte
}

// parseARP checks and decodes an ARP packet; bytes after the 28 (Ethernet padding) are
// ignored.
func parseARP(b []byte) (arpPacket, DropReason) {
	var p arpPacket
	if len(b) < arpFixedLen {
		return p, DropARPTruncated
	}
	switch {
	case binary.BigEndian.Uint16(b[0:2]) != arpHardwareType:
		return p, DropARPHardwareType
	case binary.BigEndian.Uint16(b[2:4]) != etherTypeIPv4:
		return p, DropARPProtocolType
	case b[4] != 6:
		return p, DropARPHardwareLength
	case b[5] != 4:
		return p, DropARPProtocolLength
	case len(b) < arpLen:
		return p, DropARPTruncated
	}
	p.op = binary.BigEndian.Uint16(b[6:8])
	if p.op != arpRequest && p.op != arpReply {
		return p, DropARPOperation
	}
	copy(p.senderMAC[:], b[8:14])
	copy(p.senderIP[:], b[14:18])
	copy(p.targetMAC[:], b[18:24])
	copy(p.targetIP[:], b[24:28])
	return p, 0
}

// appendARP appends the 28-byte packet to b.
func appendARP(b []byte, p arpPacket) []byte {
	b = binary.BigEndian.AppendUint16(b, arpHardwareType)
	b = binary.BigEndian.AppendUint16(b, etherTypeIPv4)
	b = append(b, 6, 4)
	b = binary.BigEndian.AppendUint16(b, p.op)
	b = append(b, p.senderMAC[:]...)
	b = append(b, p.senderIP[:]...)
	b = append(b, p.targetMAC[:]...)
	return append(b, p.targetIP[:]...)
}
