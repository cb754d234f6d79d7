package netstack

import (
	"encoding/binary"
	"io"
	"testing"
	"time"
)

// FuzzStackFrames feeds the whole stack a sequence of frames made from the fuzzer's bytes and
// checks that nothing panics, every frame is accounted for, and every frame the stack sends
// is well-formed.  Random bytes would almost all stop at the Ethernet address check, so each
// record carries control bits that make the frame reach the deeper layers:
//
//	record  = ctl(1) length(2, big-endian) bytes(length)
//	ctl bit 0: prepend an Ethernet header to us from the peer (bit 1: EtherType IPv4, else ARP)
//	ctl bit 2: set the IPv4 addresses to peer -> us
//	ctl bit 3: fix the IPv4 header checksum
//	ctl bit 4: fix the ICMP checksum (over the rest of the datagram)
//	ctl bit 5: two seconds pass (on the stack's clock) before the frame: fragments expire
func FuzzStackFrames(f *testing.F) {
	record := func(ctl byte, b []byte) []byte {
		return append([]byte{ctl, byte(len(b) >> 8), byte(len(b))}, b...)
	}
	full := func(frame []byte) []byte { return record(0, frame) }
	var seq []byte
	for _, fr := range fragmentFrames(9, 1, icmpEcho(8, 1, 1, pattern(3000, 1)), 1500) {
		seq = append(seq, full(fr)...)
	}
	f.Add(seq)
	f.Add(full(echoRequestFrame(1, pattern(56, 0))))
	f.Add(full(ethFrame(broadcastMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP))))
	f.Add(record(0x1f, ipPacket{protocol: 1, payload: icmpEcho(8, 0, 0, []byte("x"))}.bytes()))
	f.Add(record(0x0f, ipPacket{protocol: 17, payload: make([]byte, 8)}.bytes()))
	f.Add(record(0x0f, ipPacket{protocol: 1, flags: 0x2000, payload: make([]byte, 16)}.bytes()))
	f.Add(record(0x01, arpBytes(1, 0x0800, 6, 4, 2, peerMAC, peerIP, ourMAC, ourIP)))
	f.Add(append(full(fragmentFrames(10, 1, icmpEcho(8, 1, 1, pattern(2000, 1)), 1500)[0]), record(0x20, nil)...)) // expires

	f.Fuzz(fuzzStackFrames)
}

// fuzzStackFrames is FuzzStackFrames' body.
func fuzzStackFrames(t *testing.T, data []byte) {
	s := New(discardDev{}, Config{MAC: ourMAC, IP: ourIP, MaxReassemblyDatagrams: 4, MaxReassemblyBytes: 8192})
	// The stack's clock is the input's: timers are not armed, expiry runs when bit 5 says.
	now := time.Unix(1e9, 0)
	s.now = func() time.Time { return now }
	s.afterFunc = armNoTimer
	for len(data) >= 3 {
		ctl := data[0]
		n := int(binary.BigEndian.Uint16(data[1:3]))
		data = data[3:]
		if n > len(data) {
			n = len(data)
		}
		frame := append([]byte(nil), data[:n]...)
		data = data[n:]
		if ctl&0x01 != 0 {
			etherType := uint16(etherTypeARP)
			if ctl&0x02 != 0 {
				etherType = etherTypeIPv4
			}
			frame = ethFrame(ourMAC, peerMAC, etherType, frame)
		}
		fixIPv4(frame, ctl)
		var sent [][]byte
		if ctl&0x20 != 0 {
			now = now.Add(2 * time.Second)
			sent = s.expired().frames
		}
		for _, out := range append(sent, feed(s, frame)...) {
			checkSentFrame(t, out)
		}
		if c := s.Counters(); c.Unaccounted() != 0 {
			t.Fatalf("unaccounted frames: %+v", c)
		}
	}

}

// fixIPv4 applies the control bits that repair an IPv4 frame's addresses and checksums.
func fixIPv4(frame []byte, ctl byte) {
	if len(frame) < 14+20 || binary.BigEndian.Uint16(frame[12:14]) != etherTypeIPv4 {
		return
	}
	ip := frame[14:]
	hl := int(ip[0]&0x0f) * 4
	if ctl&0x04 != 0 {
		copy(ip[12:16], peerIP[:])
		copy(ip[16:20], ourIP[:])
	}
	if ctl&0x10 != 0 && hl >= 20 && len(ip) >= hl+4 && ip[9] == protoICMP {
		end := int(binary.BigEndian.Uint16(ip[2:4]))
		if end > len(ip) || end < hl+4 {
			end = len(ip)
		}
		icmp := ip[hl:end]
		icmp[2], icmp[3] = 0, 0
		binary.BigEndian.PutUint16(icmp[2:], refChecksum(icmp))
	}
	if ctl&0x08 != 0 && hl >= 20 && len(ip) >= hl {
		ip[10], ip[11] = 0, 0
		binary.BigEndian.PutUint16(ip[10:], refChecksum(ip[:hl]))
	}
}

// checkSentFrame: whatever the input, what the stack sends is ours and well-formed.
func checkSentFrame(t *testing.T, frame []byte) {
	h, payload, r := parseEthernet(frame)
	if r != 0 || h.src != ourMAC || len(frame) > 14+1500 {
		t.Fatalf("sent a bad frame: % x", frame)
	}
	switch h.etherType {
	case etherTypeARP:
		if p, r := parseARP(payload); r != 0 || p.senderIP != ourIP || p.senderMAC != ourMAC {
			t.Fatalf("sent a bad ARP packet: % x", frame)
		}
	case etherTypeIPv4:
		ip, _, data, r := parseIPv4(payload)
		if r != 0 || ip.src != ourIP || ip.ttl == 0 || isGroupIPv4(ip.dst) || ip.dst == zeroIP {
			t.Fatalf("sent a bad IPv4 packet (%v): % x", r, frame)
		}
		if !ip.isFragment() {
			if _, r := parseICMP(data); r != 0 {
				t.Fatalf("sent a bad ICMP message (%v): % x", r, frame)
			}
		}
	default:
		t.Fatalf("sent EtherType %#x", h.etherType)
	}
}

// discardDev is the fuzzer's device: frames come from feed, and what timers send is dropped.
// (A memDev per input, with its buffered channels, would eat the fuzzer's memory.)
type discardDev struct{}

func (discardDev) Read([]byte) (int, error)    { return 0, io.EOF }
func (discardDev) Write(b []byte) (int, error) { return len(b), nil }
