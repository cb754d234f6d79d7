package netstack

import (
	"math/rand"
	"testing"
)

func TestChecksumKnownAnswers(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want uint16
	}{
		// RFC 1071 section 3's example: the sum of 0001 f203 f4f5 f6f7 is ddf2 after the end-
		// around carry, so the checksum is its complement.
		{"RFC 1071 example", []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 0x220d},
		// An IPv4 header with its checksum field zeroed; b861 is the value it carries on the
		// wire (the textbook example of IPv4's header checksum).
		{"IPv4 header", []byte{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
			0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7}, 0xb861},
		{"the same header with its checksum: correct", []byte{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
			0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7}, 0},
		{"odd length pads a zero byte", []byte{0x01, 0x02, 0x03}, ^uint16(0x0102 + 0x0300)},
		{"empty", nil, 0xffff},
		{"all ones stays all ones", []byte{0xff, 0xff, 0xff, 0xff}, 0},
	}
	for _, tt := range tests {
		if got := checksum(tt.data); got != tt.want {
			t.Errorf("%s: checksum = %#04x, want %#04x", tt.name, got, tt.want)
		}
	}
}

func TestChecksumAgreesWithPlainSumOnRandomData(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 2, 7, 8, 9, 20, 1480, 65515, 70000} {
		b := make([]byte, n)
		rng.Read(b)
		if got, want := checksum(b), refChecksum(b); got != want {
			t.Errorf("%d bytes: checksum %#04x, plain sum %#04x", n, got, want)
		}
	}
}

func TestChecksumSumOfEvenPiecesIsSumOfWhole(t *testing.T) {
	b := pattern(101, 3)
	whole := checksum(b)
	for cut := 0; cut <= len(b); cut += 2 {
		if got := checksumFold(checksumSum(checksumSum(0, b[:cut]), b[cut:])); got != whole {
			t.Fatalf("cut at %d: %#04x, whole %#04x", cut, got, whole)
		}
	}
}

func TestChecksumOfMessageWithItsChecksumIsZero(t *testing.T) {
	m := icmpEcho(8, 1, 2, pattern(57, 9))
	if got := checksum(m); got != 0 {
		t.Errorf("checksum over a message with its checksum = %#04x, want 0", got)
	}
}
