package netstack

import "encoding/binary"

// Ethernet II framing (RFC 894 for IPv4 over it): destination, source, EtherType, payload.
// The device hands over frames without preamble and without the frame check sequence, as
// Linux's TAP device (IFF_TAP|IFF_NO_PI) and Xen's netfront do.  A frame may carry padding
// after its payload (Ethernet's 60-byte minimum); the layers above trim it by their own
// length fields.

const (
	etherHeaderLen = 14
	etherTypeIPv4  = 0x0800
	etherTypeARP   = 0x0806
)

type ethernetHeader struct {
	dst, src  [6]byte
	etherType uint16
}

// parseEthernet splits a frame into its header and payload.  Values of EtherType below 0x0600
// are IEEE 802.3 lengths, not types; they simply match no type we serve.
func parseEthernet(frame []byte) (ethernetHeader, []byte, DropReason) {
	var h ethernetHeader
	if len(frame) < etherHeaderLen {
		return h, nil, DropEthernetTruncated
	}
	copy(h.dst[:], frame[0:6])
	copy(h.src[:], frame[6:12])
	h.etherType = binary.BigEndian.Uint16(frame[12:14])
	return h, frame[etherHeaderLen:], 0
}

// appendEthernet appends a header to b.
func appendEthernet(b []byte, h ethernetHeader) []byte {
	b = append(b, h.dst[:]...)
	b = append(b, h.src[:]...)
	return binary.BigEndian.AppendUint16(b, h.etherType)
}
