package netstack

import (
	"bytes"
	"testing"
)

func TestParseIPv4Header(t *testing.T) {
	payload := pattern(30, 1)
	good := ipPacket{tos: 0x10, id: 0xabcd, flags: 0x2000 | 3, ttl: 9, protocol: 1, src: peerIP, dst: ourIP, payload: payload}
	raw := append(good.bytes(), 0, 0, 0, 0) // link-layer padding after the datagram
	h, header, got, r := parseIPv4(raw)
	if r != 0 {
		t.Fatalf("good packet refused: %v", r)
	}
	want := ipv4Header{headerLen: 20, tos: 0x10, totalLen: 50, id: 0xabcd, mf: true, fragOffset: 24, ttl: 9, protocol: 1, src: peerIP, dst: ourIP}
	if h != want || !bytes.Equal(got, payload) || !bytes.Equal(header, raw[:20]) {
		t.Errorf("parseIPv4 = %+v, header % x, payload % x; want %+v", h, header, got, want)
	}

	withOptions := ipPacket{protocol: 1, src: peerIP, dst: ourIP, options: []byte{1, 1, 1, 0}, payload: payload}
	if h, header, got, r := parseIPv4(withOptions.bytes()); r != 0 || h.headerLen != 24 || len(header) != 24 || !bytes.Equal(got, payload) {
		t.Errorf("options: %+v % x %v", h, got, r)
	}

	tests := []struct {
		name   string
		packet []byte
		want   DropReason
	}{
		{"19 bytes", good.bytes()[:19], DropIPv4Truncated},
		{"version 6", ipPacket{versionIHL: 0x65, payload: payload}.bytes(), DropIPv4Version},
		{"IHL 4", ipPacket{versionIHL: 0x44, payload: payload}.bytes(), DropIPv4HeaderLength},
		{"version is checked before IHL", ipPacket{versionIHL: 0x03, payload: payload}.bytes(), DropIPv4Version},
		{"IHL 15 but 24 bytes", ipPacket{versionIHL: 0x4f, payload: []byte{1, 2, 3, 4}}.bytes(), DropIPv4Truncated},
		{"bad checksum", ipPacket{badChecksum: true, payload: payload}.bytes(), DropIPv4Checksum},
		{"total length beyond the packet", ipPacket{totalLen: 51, payload: payload}.bytes(), DropIPv4TotalLengthLong},
		{"total length below the header", ipPacket{totalLen: 19, payload: payload}.bytes(), DropIPv4TotalLengthShort},
		{"total length below options", ipPacket{totalLen: 22, options: []byte{1, 1, 1, 0}}.bytes(), DropIPv4TotalLengthShort},
		{"checksum is checked before lengths", ipPacket{totalLen: 5000, badChecksum: true}.bytes(), DropIPv4Checksum},
	}
	for _, tt := range tests {
		if _, _, _, r := parseIPv4(tt.packet); r != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, r, tt.want)
		}
	}
}

func TestAppendIPv4HeaderMatchesFieldByFieldBuild(t *testing.T) {
	h := ipv4Header{tos: 0x10, totalLen: 20 + 8, id: 77, df: false, mf: true, fragOffset: 1480, ttl: 64, protocol: 1, src: ourIP, dst: peerIP}
	want := ipPacket{tos: 0x10, id: 77, flags: 0x2000 | 185, ttl: 64, protocol: 1, src: ourIP, dst: peerIP, totalLen: 28}.bytes()
	if got := appendIPv4Header(nil, h); !bytes.Equal(got, want) {
		t.Errorf("appendIPv4Header = % x, want % x", got, want)
	}
	h.df, h.mf, h.fragOffset = true, false, 0
	if got := appendIPv4Header(nil, h); got[6] != 0x40 || got[7] != 0 {
		t.Errorf("DF: flags % x", got[6:8])
	}
}

func FuzzParseIPv4Header(f *testing.F) {
	f.Add(ipPacket{protocol: 1, src: peerIP, dst: ourIP, payload: []byte{8, 0, 0, 0}}.bytes())
	f.Add(ipPacket{protocol: 1, src: peerIP, dst: ourIP, options: []byte{7, 4, 0, 0}}.bytes())
	f.Add(ipPacket{versionIHL: 0x44}.bytes())
	f.Add(ipPacket{totalLen: 3}.bytes())
	f.Add([]byte{0x45, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, header, payload, r := parseIPv4(b)
		if r != 0 {
			return
		}
		if h.headerLen < 20 || h.headerLen > 60 || len(header) != h.headerLen || checksum(header) != 0 {
			t.Fatalf("accepted a bad header: %+v % x", h, header)
		}
		if h.headerLen+len(payload) != h.totalLen || h.totalLen > len(b) || h.fragOffset%8 != 0 {
			t.Fatalf("lengths disagree: %+v, %d payload bytes of %d", h, len(payload), len(b))
		}
	})
}
