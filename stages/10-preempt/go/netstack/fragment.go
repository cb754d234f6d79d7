package netstack

import (
	"errors"
	"fmt"
)

// Fragmenting our own datagrams to the link's MTU (RFC 791 section 3.2, "An Example
// Fragmentation Procedure"): every fragment carries a copy of the 20-byte header, the
// same identification, its offset in 8-byte units and MF on all but the last; every
// fragment's data but the last is a multiple of 8 bytes, as large as the MTU allows.  Our
// headers have no options, so none need to be left out of later fragments.

var errDatagramTooLong = errors.New("datagram longer than 65535 bytes")

// ipv4Frames returns the frames that carry payload under header h (h.totalLen, the fragment
// fields and headerLen are set here) on a link of the given MTU: one if it fits.  Each frame
// is linkHeader followed by one IPv4 packet.
func ipv4Frames(linkHeader []byte, h ipv4Header, payload []byte, mtu int) ([][]byte, error) {
	if ipv4MinHeaderLen+len(payload) > maxDatagram {
		return nil, fmt.Errorf("%w: %d bytes of payload", errDatagramTooLong, len(payload))
	}
	h.headerLen = ipv4MinHeaderLen
	if ipv4MinHeaderLen+len(payload) <= mtu {
		h.totalLen = ipv4MinHeaderLen + len(payload)
		h.mf, h.fragOffset = false, 0
		frame := append(make([]byte, 0, len(linkHeader)+h.totalLen), linkHeader...)
		return [][]byte{append(appendIPv4Header(frame, h), payload...)}, nil
	}
	if h.df {
		return nil, fmt.Errorf("datagram of %d bytes exceeds the MTU %d and may not be fragmented",
			ipv4MinHeaderLen+len(payload), mtu)
	}
	per := (mtu - ipv4MinHeaderLen) &^ 7 // the MTU is at least 68: per >= 48
	frames := make([][]byte, 0, (len(payload)+per-1)/per)
	for offset := 0; offset < len(payload); offset += per {
		end := offset + per
		if end > len(payload) {
			end = len(payload)
		}
		h.fragOffset = offset
		h.mf = end < len(payload)
		h.totalLen = ipv4MinHeaderLen + end - offset
		frame := append(make([]byte, 0, len(linkHeader)+h.totalLen), linkHeader...)
		frames = append(frames, append(appendIPv4Header(frame, h), payload[offset:end]...))
	}
	return frames, nil
}
