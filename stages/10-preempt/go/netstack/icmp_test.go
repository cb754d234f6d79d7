package netstack

import (
	"bytes"
	"testing"
)

func TestParseICMP(t *testing.T) {
	data := pattern(56, 4)
	m, r := parseICMP(icmpEcho(8, 0xbeef, 7, data))
	if r != 0 || m.typ != 8 || m.code != 0 || m.id != 0xbeef || m.seq != 7 || !bytes.Equal(m.body, data) {
		t.Errorf("parseICMP = %+v, %v", m, r)
	}
	odd := icmpEcho(8, 1, 1, pattern(57, 1)) // odd lengths are checksummed with a pad byte
	if _, r := parseICMP(odd); r != 0 {
		t.Errorf("odd length: %v", r)
	}
	bad := icmpEcho(8, 1, 1, data)
	bad[len(bad)-1] ^= 1
	tests := []struct {
		name string
		msg  []byte
		want DropReason
	}{
		{"empty", nil, DropICMPTruncated},
		{"7 bytes", icmpEcho(8, 1, 1, nil)[:7], DropICMPTruncated},
		{"a data byte changed", bad, DropICMPChecksum},
		{"checksum zero", append([]byte{8, 0, 0, 0, 0, 1, 0, 1}, data...), DropICMPChecksum},
	}
	for _, tt := range tests {
		if _, r := parseICMP(tt.msg); r != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, r, tt.want)
		}
	}
}

func TestAppendICMPEchoMatchesFieldByFieldBuild(t *testing.T) {
	for _, n := range []int{0, 1, 56, 1473, 65507} {
		data := pattern(n, 2)
		if got, want := appendICMPEcho(nil, 0, 0x1234, 0xfffe, data), icmpEcho(0, 0x1234, 0xfffe, data); !bytes.Equal(got, want) {
			t.Errorf("%d data bytes: echo reply differs from the field-by-field one", n)
		}
	}
}

func TestAppendICMPErrorQuotes(t *testing.T) {
	q := ipPacket{protocol: 17, src: peerIP, dst: ourIP, payload: pattern(8, 0)}.bytes()
	m := appendICMPError(nil, icmpDestUnreachable, icmpCodeProtocolUnreachable, q)
	if len(m) != 8+28 || m[0] != 3 || m[1] != 2 || !bytes.Equal(m[4:8], []byte{0, 0, 0, 0}) || !bytes.Equal(m[8:], q) || refChecksum(m) != 0 {
		t.Errorf("destination unreachable = % x", m)
	}
}

func FuzzParseICMP(f *testing.F) {
	f.Add(icmpEcho(8, 1, 1, []byte("abcdefgh")))
	f.Add(icmpEcho(0, 1, 1, nil))
	f.Add([]byte{3, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, r := parseICMP(b)
		if r != 0 {
			return
		}
		if len(b) < 8 || refChecksum(b) != 0 || len(m.body) != len(b)-8 {
			t.Fatalf("accepted % x as %+v", b, m)
		}
		// An echo built from what was parsed is the message itself, but for the checksum,
		// which may be either of ones' complement's two zeros (0x0000 and 0xffff).
		if b[1] == 0 && (m.typ == 0 || m.typ == 8) {
			got := appendICMPEcho(nil, m.typ, m.id, m.seq, m.body)
			if !bytes.Equal(got[:2], b[:2]) || !bytes.Equal(got[4:], b[4:]) || refChecksum(got) != 0 {
				t.Fatalf("echo % x rebuilt as % x", b, got)
			}
		}
	})
}
