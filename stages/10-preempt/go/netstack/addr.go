package netstack

// Addresses as fixed-size arrays (comparable, usable as map keys, no allocation), with their
// text forms.  The standard library's net package would parse these too, but it brings its
// resolver and its own use of the operating system into a guest that has only this stack.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	broadcastMAC = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	zeroMAC      [6]byte
	zeroIP       [4]byte
)

// ParseIPv4 parses dotted-decimal "A.B.C.D": four decimal numbers 0-255, no leading zeros
// (which some parsers read as octal), nothing around them.
func ParseIPv4(s string) ([4]byte, error) {
	var ip [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return ip, fmt.Errorf("IPv4 address %q: want four numbers A.B.C.D", s)
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') || strings.TrimLeft(p, "0123456789") != "" {
			return ip, fmt.Errorf("IPv4 address %q: %q is not a number 0-255", s, p)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > 255 {
			return ip, fmt.Errorf("IPv4 address %q: %q is not a number 0-255", s, p)
		}
		ip[i] = byte(n)
	}
	return ip, nil
}

// ParseMAC parses six two-digit hexadecimal bytes separated by colons, as xl writes them
// ("00:16:3e:63:00:02").
func ParseMAC(s string) ([6]byte, error) {
	var mac [6]byte
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return mac, fmt.Errorf("MAC address %q: want six hex bytes aa:bb:cc:dd:ee:ff", s)
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 16, 8)
		if err != nil || len(p) != 2 {
			return mac, fmt.Errorf("MAC address %q: %q is not a two-digit hex byte", s, p)
		}
		mac[i] = byte(n)
	}
	return mac, nil
}

// FormatIPv4 returns "A.B.C.D".
func FormatIPv4(ip [4]byte) string {
	return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3])
}

// FormatMAC returns "aa:bb:cc:dd:ee:ff" in lower case, as Linux's ip and xl print it.
func FormatMAC(mac [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5])
}

// isGroupMAC: the least significant bit of the first byte is IEEE 802's I/G bit: set for
// multicast and broadcast addresses.
func isGroupMAC(mac [6]byte) bool { return mac[0]&1 != 0 }

// isGroupIPv4: limited broadcast 255.255.255.255 (RFC 919) and class D multicast 224.0.0.0/4
// (RFC 1112).  Directed broadcasts of a subnet cannot be told without a netmask, which this
// stack does not have; they are "not for us" instead.
func isGroupIPv4(ip [4]byte) bool {
	return ip == [4]byte{255, 255, 255, 255} || ip[0]&0xf0 == 0xe0
}

// isLoopbackIPv4: 127.0.0.0/8 must never appear on a wire (RFC 1122 section 3.2.1.3 (g)).
func isLoopbackIPv4(ip [4]byte) bool { return ip[0] == 127 }

var errNoAddress = errors.New("no IPv4 address configured")
