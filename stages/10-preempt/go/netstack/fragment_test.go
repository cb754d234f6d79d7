package netstack

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestIPv4FramesFragmentsToTheMTU(t *testing.T) {
	link := ethFrame(peerMAC, ourMAC, 0x0800, nil)
	tests := []struct {
		payload, mtu int
		frames       int
	}{
		{0, 1500, 1},
		{1480, 1500, 1},   // exactly the MTU
		{1481, 1500, 2},   // one byte more: 1480 + 1
		{8008, 1500, 6},   // ping -s 8000
		{65515, 1500, 45}, // ping -s 65507
		{100, 68, 3},      // RFC 791's minimum MTU: 48 bytes per fragment
		{65515, 65535, 1},
	}
	for _, tt := range tests {
		payload := pattern(tt.payload, 5)
		h := ipv4Header{tos: 0x10, id: 42, ttl: 64, protocol: 1, src: ourIP, dst: peerIP}
		frames, err := ipv4Frames(link, h, payload, tt.mtu)
		if err != nil || len(frames) != tt.frames {
			t.Errorf("%d bytes, MTU %d: %d frames, %v; want %d", tt.payload, tt.mtu, len(frames), err, tt.frames)
			continue
		}
		// Each frame: our link header, then a correct IPv4 header within the MTU; together
		// they reassemble to the payload.
		r := newReassembler(time.Second, 1<<20, 1)
		var whole []byte
		for i, f := range frames {
			if !bytes.Equal(f[:14], link) {
				t.Fatalf("frame %d: link header % x", i, f[:14])
			}
			fh, header, data, reason := parseIPv4(f[14:])
			if reason != 0 || len(f)-14 > tt.mtu || fh.id != 42 || fh.tos != 0x10 || fh.src != ourIP || fh.dst != peerIP {
				t.Fatalf("frame %d: %+v %v, %d bytes", i, fh, reason, len(f)-14)
			}
			if last := i == len(frames)-1; fh.mf == last || (!last && len(data)%8 != 0) {
				t.Fatalf("frame %d of %d: MF %v with %d bytes", i, len(frames), fh.mf, len(data))
			}
			if len(frames) == 1 {
				whole = data
				break
			}
			if out := r.add(fh, header, data, ourMAC, time.Unix(0, 0)); out.done {
				whole = out.payload
			}
		}
		if !bytes.Equal(whole, payload) {
			t.Errorf("%d bytes, MTU %d: the fragments do not reassemble to the payload", tt.payload, tt.mtu)
		}
	}
}

func TestIPv4FramesRefuses(t *testing.T) {
	h := ipv4Header{ttl: 64, protocol: 1, src: ourIP, dst: peerIP}
	if _, err := ipv4Frames(nil, h, make([]byte, 65516), 1500); !errors.Is(err, errDatagramTooLong) {
		t.Errorf("65516 bytes of payload: %v", err)
	}
	h.df = true
	if _, err := ipv4Frames(nil, h, make([]byte, 1481), 1500); err == nil {
		t.Error("DF set and too long: no error")
	}
	if frames, err := ipv4Frames(nil, h, make([]byte, 1480), 1500); err != nil || len(frames) != 1 {
		t.Errorf("DF set and fits: %d frames, %v", len(frames), err)
	}
}
