package netstack

import (
	"bytes"
	"testing"
)

func TestParseEthernet(t *testing.T) {
	frame := ethFrame(ourMAC, peerMAC, 0x0806, []byte{1, 2, 3})
	h, payload, r := parseEthernet(frame)
	if r != 0 || h.dst != ourMAC || h.src != peerMAC || h.etherType != 0x0806 || !bytes.Equal(payload, []byte{1, 2, 3}) {
		t.Errorf("parseEthernet = %+v % x %v", h, payload, r)
	}
	for n := 0; n < etherHeaderLen; n++ {
		if _, _, r := parseEthernet(frame[:n]); r != DropEthernetTruncated {
			t.Errorf("%d bytes: %v, want %v", n, r, DropEthernetTruncated)
		}
	}
	if _, payload, r := parseEthernet(frame[:etherHeaderLen]); r != 0 || len(payload) != 0 {
		t.Errorf("header only: % x %v", payload, r)
	}
}

func TestAppendEthernetWritesFieldsInWireOrder(t *testing.T) {
	got := appendEthernet([]byte{0xaa}, ethernetHeader{dst: broadcastMAC, src: ourMAC, etherType: 0x0800})
	want := append([]byte{0xaa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0x00, 0x16, 0x3e, 0x63, 0x00, 0x02, 0x08, 0x00)
	if !bytes.Equal(got, want) {
		t.Errorf("appendEthernet = % x, want % x", got, want)
	}
}

func FuzzParseEthernet(f *testing.F) {
	f.Add(ethFrame(ourMAC, peerMAC, 0x0800, []byte{0x45}))
	f.Add([]byte{1, 2, 3})
	f.Add(make([]byte, 14))
	f.Fuzz(func(t *testing.T, frame []byte) {
		h, payload, r := parseEthernet(frame)
		if r != 0 {
			if len(frame) >= etherHeaderLen {
				t.Fatalf("%d bytes refused: %v", len(frame), r)
			}
			return
		}
		if rebuilt := append(appendEthernet(nil, h), payload...); !bytes.Equal(rebuilt, frame) {
			t.Fatalf("header and payload rebuild % x, not % x", rebuilt, frame)
		}
	})
}
