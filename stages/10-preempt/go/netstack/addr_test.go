package netstack

import (
	"strings"
	"testing"
)

func TestParseIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want [4]byte
		ok   bool
	}{
		{"10.99.0.2", [4]byte{10, 99, 0, 2}, true},
		{"0.0.0.0", [4]byte{}, true},
		{"255.255.255.255", [4]byte{255, 255, 255, 255}, true},
		{"10.99.0", [4]byte{}, false},
		{"10.99.0.2.1", [4]byte{}, false},
		{"10.99.0.256", [4]byte{}, false},
		{"10.99.0.-1", [4]byte{}, false},
		{"10.99.0.+1", [4]byte{}, false},
		{"10.099.0.2", [4]byte{}, false}, // a leading zero: octal to some parsers
		{"10.99..2", [4]byte{}, false},
		{" 10.99.0.2", [4]byte{}, false},
		{"10.99.0.2 ", [4]byte{}, false},
		{"0x0a.99.0.2", [4]byte{}, false},
		{"1000.0.0.1", [4]byte{}, false},
		{"", [4]byte{}, false},
	}
	for _, tt := range tests {
		got, err := ParseIPv4(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseIPv4(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseMAC(t *testing.T) {
	tests := []struct {
		in   string
		want [6]byte
		ok   bool
	}{
		{"00:16:3e:63:00:02", [6]byte{0, 0x16, 0x3e, 0x63, 0, 2}, true},
		{"FE:FF:FF:FF:FF:FF", [6]byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff}, true},
		{"00:16:3e:63:00", [6]byte{}, false},
		{"00:16:3e:63:00:02:03", [6]byte{}, false},
		{"0:16:3e:63:00:02", [6]byte{}, false},
		{"00:16:3e:63:00:0g", [6]byte{}, false},
		{"00-16-3e-63-00-02", [6]byte{}, false},
		{"00:16:3e:63:00:+2", [6]byte{}, false},
		{"", [6]byte{}, false},
	}
	for _, tt := range tests {
		got, err := ParseMAC(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseMAC(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatAddresses(t *testing.T) {
	if got := FormatIPv4([4]byte{10, 99, 0, 2}); got != "10.99.0.2" {
		t.Errorf("FormatIPv4 = %q", got)
	}
	if got := FormatMAC([6]byte{0, 0x16, 0x3e, 0x63, 0, 0xab}); got != "00:16:3e:63:00:ab" {
		t.Errorf("FormatMAC = %q", got)
	}
}

func TestAddressClasses(t *testing.T) {
	for _, tt := range []struct {
		ip              [4]byte
		group, loopback bool
	}{
		{[4]byte{10, 99, 0, 1}, false, false},
		{[4]byte{224, 0, 0, 1}, true, false},
		{[4]byte{239, 255, 255, 250}, true, false},
		{[4]byte{240, 0, 0, 1}, false, false},
		{[4]byte{255, 255, 255, 255}, true, false},
		{[4]byte{127, 0, 0, 1}, false, true},
	} {
		if isGroupIPv4(tt.ip) != tt.group || isLoopbackIPv4(tt.ip) != tt.loopback {
			t.Errorf("%v: group %v loopback %v, want %v %v", tt.ip, isGroupIPv4(tt.ip), isLoopbackIPv4(tt.ip), tt.group, tt.loopback)
		}
	}
	if !isGroupMAC(broadcastMAC) || !isGroupMAC([6]byte{0x33, 0x33, 0, 0, 0, 1}) || !isGroupMAC([6]byte{0x01, 0, 0x5e, 0, 0, 1}) || isGroupMAC(ourMAC) {
		t.Error("isGroupMAC: the I/G bit is the low bit of the first byte")
	}
}

// Command-line and environment text reaches these parsers: whatever it is, they return an
// address or an error, and an address formats back to the text it came from.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"10.99.0.2", "255.255.255.255", "1.2.3", "01.2.3.4", "1.2.3.4.", "300.1.1.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, err := ParseIPv4(s)
		if err == nil && FormatIPv4(ip) != s {
			t.Fatalf("ParseIPv4(%q) = %v, which formats as %q", s, ip, FormatIPv4(ip))
		}
	})
}

func FuzzParseMAC(f *testing.F) {
	for _, s := range []string{"00:16:3e:63:00:02", "FF:FF:FF:FF:FF:FF", "0:1:2:3:4:5", "00:16:3e:63:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mac, err := ParseMAC(s)
		if err == nil && FormatMAC(mac) != strings.ToLower(s) {
			t.Fatalf("ParseMAC(%q) = %v, which formats as %q", s, mac, FormatMAC(mac))
		}
	})
}
