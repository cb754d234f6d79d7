package netstack

import (
	"bytes"
	"testing"
)

func TestParseARP(t *testing.T) {
	good := arpBytes(1, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP)
	p, r := parseARP(append(append([]byte{}, good...), make([]byte, 18)...)) // with Ethernet padding
	if r != 0 || p.op != arpRequest || p.senderMAC != peerMAC || p.senderIP != peerIP || p.targetMAC != zeroMAC || p.targetIP != ourIP {
		t.Errorf("parseARP(good) = %+v, %v", p, r)
	}
	tests := []struct {
		name   string
		packet []byte
		want   DropReason
	}{
		{"7 bytes", good[:7], DropARPTruncated},
		{"27 bytes", good[:27], DropARPTruncated},
		{"hardware type 6 (IEEE 802)", arpBytes(6, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP), DropARPHardwareType},
		{"protocol type IPv6", arpBytes(1, 0x86dd, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP), DropARPProtocolType},
		{"hardware length 8", arpBytes(1, 0x0800, 8, 4, 1, peerMAC, peerIP, zeroMAC, ourIP), DropARPHardwareLength},
		{"protocol length 16", arpBytes(1, 0x0800, 6, 16, 1, peerMAC, peerIP, zeroMAC, ourIP), DropARPProtocolLength},
		{"lengths are checked before the size", good[:8], DropARPTruncated},
		{"wrong hardware type wins over a short packet", arpBytes(2, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP)[:10], DropARPHardwareType},
		{"operation 3 (RARP request)", arpBytes(1, 0x0800, 6, 4, 3, peerMAC, peerIP, zeroMAC, ourIP), DropARPOperation},
		{"operation 0", arpBytes(1, 0x0800, 6, 4, 0, peerMAC, peerIP, zeroMAC, ourIP), DropARPOperation},
	}
	for _, tt := range tests {
		if _, r := parseARP(tt.packet); r != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, r, tt.want)
		}
	}
}

func TestAppendARPMatchesFieldByFieldBuild(t *testing.T) {
	p := arpPacket{op: arpReply, senderMAC: ourMAC, senderIP: ourIP, targetMAC: peerMAC, targetIP: peerIP}
	want := arpBytes(1, 0x0800, 6, 4, 2, ourMAC, ourIP, peerMAC, peerIP)
	if got := appendARP(nil, p); !bytes.Equal(got, want) {
		t.Errorf("appendARP = % x, want % x", got, want)
	}
}

func FuzzParseARP(f *testing.F) {
	f.Add(arpBytes(1, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP))
	f.Add(arpBytes(1, 0x0800, 6, 4, 2, peerMAC, peerIP, ourMAC, ourIP))
	f.Add(arpBytes(1, 0x0800, 8, 4, 1, peerMAC, peerIP, zeroMAC, ourIP))
	f.Add([]byte{0, 1, 8, 0, 6, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, r := parseARP(b)
		if r != 0 {
			return
		}
		// An accepted packet is 28 bytes of Ethernet/IPv4 ARP that rebuild exactly.
		if got := appendARP(nil, p); len(b) < arpLen || !bytes.Equal(got, b[:arpLen]) {
			t.Fatalf("accepted % x, which rebuilds as % x", b, got)
		}
	})
}
