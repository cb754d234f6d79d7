package netstack

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// The stack as a whole: frames in, frames out, counters.

func newFedStack(cfg Config) *Stack {
	if cfg.MAC == zeroMAC {
		cfg.MAC = ourMAC
	}
	if cfg.IP == zeroIP {
		cfg.IP = ourIP
	}
	return New(newMemDev(), cfg)
}

func wantFrames(t *testing.T, got [][]byte, want ...[]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d frames out, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("frame %d:\n got % x\nwant % x", i, got[i], want[i])
		}
	}
}

func wantDropped(t *testing.T, s *Stack, r DropReason, n uint64) {
	t.Helper()
	if got := s.Counters().Dropped[r]; got != n {
		t.Errorf("dropped for %q: %d, want %d (all: %v)", r, got, n, s.Counters().Dropped)
	}
}

func TestStackAnswersARPRequestsForItsAddress(t *testing.T) {
	s := newFedStack(Config{})
	req := ethFrame(broadcastMAC, peerMAC, 0x0806, append(arpBytes(1, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, ourIP), make([]byte, 18)...))
	wantFrames(t, feed(s, req), ethFrame(peerMAC, ourMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 2, ourMAC, ourIP, peerMAC, peerIP)))
	if mac, ok := s.arp.lookup(peerIP, time.Now()); !ok || mac != peerMAC {
		t.Error("the asker was not learned (RFC 826: add the sender when the target is us)")
	}
	c := s.Counters()
	if c.ARPRequestsAnswered != 1 || c.FramesHandled != 1 || c.TotalDropped() != 0 {
		t.Errorf("counters %+v", c)
	}
	checkAccounted(t, s)
}

func TestStackARPOtherCases(t *testing.T) {
	other := [4]byte{10, 99, 0, 77}
	t.Run("a request for another address is not for us", func(t *testing.T) {
		s := newFedStack(Config{})
		wantFrames(t, feed(s, ethFrame(broadcastMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, other))))
		wantDropped(t, s, DropARPNotForUs, 1)
		if _, ok := s.arp.entry(peerIP); ok {
			t.Error("learned from a packet about others")
		}
	})
	t.Run("a known sender is refreshed by any packet", func(t *testing.T) {
		var logs []string
		s := newFedStack(Config{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }})
		newMAC := [6]byte{0x02, 0, 0, 0, 0, 9}
		s.arp.update(peerIP, peerMAC, time.Now())
		fx := s.receive(ethFrame(broadcastMAC, newMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, newMAC, peerIP, zeroMAC, other)))
		s.apply(fx)
		s.Close() // hands the queued log lines over
		if e, _ := s.arp.entry(peerIP); e.mac != newMAC {
			t.Error("RFC 826's merge did not update the entry")
		}
		if c := s.Counters(); c.FramesHandled != 1 || c.TotalDropped() != 0 {
			t.Errorf("counters %+v", c)
		}
		if want := "arp: 10.99.0.1 moved from fe:ff:ff:ff:ff:ff to 02:00:00:00:00:09"; len(logs) != 1 || logs[0] != want {
			t.Errorf("logs %q, want %q", logs, want)
		}
	})
	t.Run("a probe for our address is answered, not learned", func(t *testing.T) {
		s := newFedStack(Config{})
		probe := ethFrame(broadcastMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, peerMAC, zeroIP, zeroMAC, ourIP))
		wantFrames(t, feed(s, probe), ethFrame(peerMAC, ourMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 2, ourMAC, ourIP, peerMAC, zeroIP)))
		if len(s.arp.entries) != 0 {
			t.Error("learned 0.0.0.0")
		}
	})
	t.Run("a reply to us is learned and counted", func(t *testing.T) {
		s := newFedStack(Config{})
		wantFrames(t, feed(s, ethFrame(ourMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 2, peerMAC, peerIP, ourMAC, ourIP))))
		if c := s.Counters(); c.ARPRepliesIn != 1 || c.FramesHandled != 1 {
			t.Errorf("counters %+v", c)
		}
		if _, ok := s.arp.entry(peerIP); !ok {
			t.Error("not learned")
		}
	})
	t.Run("someone else claiming our address", func(t *testing.T) {
		s := newFedStack(Config{})
		fx := s.receive(ethFrame(broadcastMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, peerMAC, ourIP, zeroMAC, ourIP)))
		wantDropped(t, s, DropARPConflict, 1)
		if len(fx.frames) != 0 || len(fx.logs) != 1 || fx.logs[0] != "arp: address conflict: fe:ff:ff:ff:ff:ff also claims 10.99.0.2" {
			t.Errorf("effects %+v", fx)
		}
	})
	for _, bad := range []struct {
		name string
		sha  [6]byte
		spa  [4]byte
	}{
		{"broadcast sender", broadcastMAC, peerIP},
		{"zero sender MAC", zeroMAC, peerIP},
		{"multicast sender IP", peerMAC, [4]byte{224, 0, 0, 1}},
		{"loopback sender IP", peerMAC, [4]byte{127, 0, 0, 1}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			s := newFedStack(Config{})
			wantFrames(t, feed(s, ethFrame(broadcastMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, bad.sha, bad.spa, zeroMAC, ourIP))))
			wantDropped(t, s, DropARPBadSender, 1)
		})
	}
}

func TestStackAnswersEcho(t *testing.T) {
	s := newFedStack(Config{})
	data := pattern(56, 1)
	fx := s.receive(echoRequestFrame(1, data))
	want := ethFrame(peerMAC, ourMAC, 0x0800, ipPacket{id: 1, protocol: 1, src: ourIP, dst: peerIP, payload: icmpEcho(0, 0xbeef, 1, data)}.bytes())
	wantFrames(t, fx.frames, want)
	if len(fx.logs) != 1 || fx.logs[0] != "echo request from 10.99.0.1: seq=1, 56 data bytes" {
		t.Errorf("log %q", fx.logs)
	}
	// The type of service is returned; the identification counts up.
	tos := ethFrame(ourMAC, peerMAC, 0x0800, ipPacket{tos: 0xb8, id: 9, protocol: 1, src: peerIP, dst: ourIP, payload: icmpEcho(8, 7, 2, nil)}.bytes())
	want = ethFrame(peerMAC, ourMAC, 0x0800, ipPacket{tos: 0xb8, id: 2, protocol: 1, src: ourIP, dst: peerIP, payload: icmpEcho(0, 7, 2, nil)}.bytes())
	wantFrames(t, feed(s, tos), want)
	if c := s.Counters(); c.EchoRequestsAnswered != 2 || c.FramesHandled != 2 {
		t.Errorf("counters %+v", c)
	}
	checkAccounted(t, s)
}

// reassembleFrames puts a peer-side datagram back together from our frames: the test's own
// simple reassembly (offsets into one buffer), not the package's.
func reassembleFrames(t *testing.T, frames [][]byte) (ipv4Header, []byte) {
	t.Helper()
	var first ipv4Header
	var whole []byte
	covered := 0
	for i, f := range frames {
		h, _, data, r := parseIPv4(f[14:])
		if r != 0 || len(f)-14 > 1500 {
			t.Fatalf("frame %d: %v, %d bytes", i, r, len(f))
		}
		if h.fragOffset == 0 {
			first = h
		}
		if need := h.fragOffset + len(data); need > len(whole) {
			whole = append(whole, make([]byte, need-len(whole))...)
		}
		copy(whole[h.fragOffset:], data)
		covered += len(data)
		if (i == len(frames)-1) == h.mf {
			t.Fatalf("frame %d of %d has MF %v", i, len(frames), h.mf)
		}
	}
	if covered != len(whole) {
		t.Fatalf("fragments cover %d of %d bytes", covered, len(whole))
	}
	return first, whole
}

func TestStackAnswersFragmentedEcho(t *testing.T) {
	for _, tt := range []struct {
		data, framesIn int
	}{
		{1472, 1}, {1473, 2}, {8000, 6}, {65507, 45},
	} {
		s := newFedStack(Config{})
		data := pattern(tt.data, 3)
		in := fragmentFrames(0x4242, 1, icmpEcho(8, 0xbeef, 5, data), 1500)
		if len(in) != tt.framesIn {
			t.Fatalf("%d data bytes: %d frames, want %d", tt.data, len(in), tt.framesIn)
		}
		out := feed(s, in...)
		if len(out) != tt.framesIn {
			t.Fatalf("%d data bytes: %d frames in, %d out", tt.data, len(in), len(out))
		}
		h, msg := reassembleFrames(t, out)
		if h.src != ourIP || h.dst != peerIP || !bytes.Equal(msg, icmpEcho(0, 0xbeef, 5, data)) {
			t.Fatalf("%d data bytes: the reply is not the request's identifier, sequence and data", tt.data)
		}
		c := s.Counters()
		frag := uint64(0)
		if tt.framesIn > 1 {
			frag = 1
		}
		if c.EchoRequestsAnswered != 1 || c.FramesHandled != uint64(tt.framesIn) || c.DatagramsReassembled != frag ||
			c.DatagramsFragmented != frag || c.FragmentsOut != frag*uint64(tt.framesIn) || c.FragmentsIn != frag*uint64(tt.framesIn) {
			t.Errorf("%d data bytes: counters %+v", tt.data, c)
		}
		checkAccounted(t, s)
	}
}

func TestStackSendsProtocolUnreachable(t *testing.T) {
	s := newFedStack(Config{})
	udp := ipPacket{id: 5, protocol: 17, src: peerIP, dst: ourIP, payload: pattern(20, 0)}.bytes()
	out := feed(s, ethFrame(ourMAC, peerMAC, 0x0800, udp))
	quoted := udp[:28] // header and the first 8 bytes of data
	msg := append([]byte{3, 2, 0, 0, 0, 0, 0, 0}, quoted...)
	msg[2], msg[3] = byte(refChecksum(msg)>>8), byte(refChecksum(msg))
	wantFrames(t, out, ethFrame(peerMAC, ourMAC, 0x0800, ipPacket{id: 1, protocol: 1, src: ourIP, dst: peerIP, payload: msg}.bytes()))
	wantDropped(t, s, DropIPv4Protocol, 1)
	if s.Counters().DestUnreachableSent != 1 {
		t.Error("not counted as sent")
	}
	// A flood gets a burst of answers, then no more for a while.
	for i := 0; i < 20; i++ {
		feed(s, ethFrame(ourMAC, peerMAC, 0x0800, udp))
	}
	c := s.Counters()
	if c.DestUnreachableSent != icmpErrorBurst || c.ICMPErrorsRateLimited != 21-icmpErrorBurst || c.Dropped[DropIPv4Protocol] != 21 {
		t.Errorf("after a flood of 21: %d sent, %d held back", c.DestUnreachableSent, c.ICMPErrorsRateLimited)
	}
	checkAccounted(t, s)
}

func TestStackDropsEachKindOfBadFrame(t *testing.T) {
	data := pattern(16, 0)
	echo := icmpEcho(8, 1, 1, data)
	ip := func(p ipPacket) []byte {
		if p.src == zeroIP {
			p.src = peerIP
		}
		if p.dst == zeroIP {
			p.dst = ourIP
		}
		if p.protocol == 0 {
			p.protocol = 1
		}
		if p.payload == nil {
			p.payload = echo
		}
		return ethFrame(ourMAC, peerMAC, 0x0800, p.bytes())
	}
	badICMP := append([]byte{}, echo...)
	badICMP[9] ^= 0xff
	tests := []struct {
		name  string
		frame []byte
		want  DropReason
	}{
		{"13 bytes", ethFrame(ourMAC, peerMAC, 0x0800, nil)[:13], DropEthernetTruncated},
		{"longer than 14 + MTU", ethFrame(ourMAC, peerMAC, 0x88b5, make([]byte, 1501)), DropEthernetTooLong},
		{"group source", ethFrame(ourMAC, broadcastMAC, 0x0800, nil), DropEthernetBadSource},
		{"our own source", ethFrame(ourMAC, ourMAC, 0x0800, nil), DropEthernetBadSource},
		{"unicast to another station", ethFrame(peerMAC, [6]byte{2, 0, 0, 0, 0, 3}, 0x0800, nil), DropEthernetNotForUs},
		{"IPv4 multicast frame", ethFrame([6]byte{1, 0, 0x5e, 0, 0, 1}, peerMAC, 0x0800, nil), DropEthernetMulticast},
		{"IPv6 multicast frame", ethFrame([6]byte{0x33, 0x33, 0, 0, 0, 1}, peerMAC, 0x86dd, nil), DropEthernetMulticast},
		{"IPv6 to us", ethFrame(ourMAC, peerMAC, 0x86dd, make([]byte, 40)), DropEthernetUnknownType},
		{"a VLAN tag", ethFrame(ourMAC, peerMAC, 0x8100, make([]byte, 46)), DropEthernetUnknownType},
		{"an 802.3 length", ethFrame(broadcastMAC, peerMAC, 46, make([]byte, 46)), DropEthernetUnknownType},
		{"IPv4 in a broadcast frame", ethFrame(broadcastMAC, peerMAC, 0x0800, ipPacket{protocol: 1, src: peerIP, dst: ourIP, payload: echo}.bytes()), DropIPv4LinkBroadcast},
		{"IPv4 truncated", ip(ipPacket{})[:30], DropIPv4Truncated},
		{"TTL 0", ip(ipPacket{keepZeroTTL: true}), DropIPv4TTLZero},
		{"multicast source", ip(ipPacket{src: [4]byte{224, 0, 0, 5}}), DropIPv4BadSource},
		{"loopback source", ip(ipPacket{src: [4]byte{127, 0, 0, 1}}), DropIPv4BadSource},
		{"our own source", ip(ipPacket{src: ourIP}), DropIPv4BadSource},
		{"broadcast source", ip(ipPacket{src: [4]byte{255, 255, 255, 255}}), DropIPv4BadSource},
		{"multicast destination", ip(ipPacket{dst: [4]byte{239, 1, 2, 3}}), DropIPv4GroupDestination},
		{"limited broadcast destination", ip(ipPacket{dst: [4]byte{255, 255, 255, 255}}), DropIPv4GroupDestination},
		{"another host", ip(ipPacket{dst: [4]byte{10, 99, 0, 77}}), DropIPv4NotForUs},
		{"ICMP truncated", ip(ipPacket{payload: echo[:7]}), DropICMPTruncated},
		{"ICMP checksum", ip(ipPacket{payload: badICMP}), DropICMPChecksum},
		{"ICMP timestamp request", ip(ipPacket{payload: icmpEcho(13, 1, 1, make([]byte, 12))}), DropICMPType},
		{"ICMP destination unreachable", ip(ipPacket{payload: icmpEcho(3, 0, 0, make([]byte, 28))}), DropICMPType},
		{"an echo reply nobody waits for", ip(ipPacket{payload: icmpEcho(0, pingIdentifier, 1, data)}), DropICMPUnexpectedReply},
	}
	for _, tt := range tests {
		s := newFedStack(Config{})
		if out := feed(s, tt.frame); len(out) != 0 {
			t.Errorf("%s: %d frames sent in answer", tt.name, len(out))
		}
		c := s.Counters()
		if c.Dropped[tt.want] != 1 || c.TotalDropped() != 1 {
			t.Errorf("%s: dropped %v, want one for %q", tt.name, c.Dropped, tt.want)
		}
		checkAccounted(t, s)
	}
}

func TestStackWithoutAddressAnswersNothing(t *testing.T) {
	s := New(newMemDev(), Config{MAC: ourMAC})
	out := feed(s, echoRequestFrame(1, nil), ethFrame(broadcastMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, peerMAC, peerIP, zeroMAC, zeroIP)))
	if len(out) != 0 {
		t.Errorf("%d frames sent", len(out))
	}
	wantDropped(t, s, DropIPv4NotForUs, 1)
	wantDropped(t, s, DropARPNotForUs, 1)
	if err := s.Announce(); !errors.Is(err, errNoAddress) {
		t.Errorf("Announce without an address: %v", err)
	}
	if _, err := s.Ping(peerIP, 1, nil, time.Second); !errors.Is(err, errNoAddress) {
		t.Errorf("Ping without an address: %v", err)
	}
}

func TestStackLogsFirstDropOfEachReasonWhenAsked(t *testing.T) {
	s := newFedStack(Config{LogDrops: true})
	var logs []string
	for i := 0; i < 3; i++ {
		logs = append(logs, s.receive(ethFrame(ourMAC, peerMAC, 0x86dd, nil)).logs...)
	}
	if len(logs) != 1 || logs[0] != "first drop: ethernet: unknown EtherType (later ones are only counted)" {
		t.Errorf("logs %q", logs)
	}
	if quiet := newFedStack(Config{}); len(quiet.receive(ethFrame(ourMAC, peerMAC, 0x86dd, nil)).logs) != 0 {
		t.Error("drops logged without LogDrops")
	}
}

func TestStackReassemblyTimeoutSendsTimeExceeded(t *testing.T) {
	s, dev := newTestStack(t, Config{ReassemblyTimeout: 50 * time.Millisecond})
	echo := icmpEcho(8, 1, 1, pattern(3000, 0))
	frames := fragmentFrames(77, 1, echo, 1500)
	start := time.Now()
	dev.in <- frames[0] // fragment zero only
	dev.in <- frames[2] // and the last: a hole stays
	reply := dev.next(t)
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("time exceeded after %v, before the 50 ms timeout", waited)
	}
	_, ip, _ := parseEthernet(reply)
	h, _, msg, r := parseIPv4(ip)
	quoted := frames[0][14 : 14+20+8]
	if r != 0 || h.dst != peerIP || h.protocol != 1 || len(msg) != 8+28 || msg[0] != 11 || msg[1] != 1 || !bytes.Equal(msg[8:], quoted) || refChecksum(msg) != 0 {
		t.Fatalf("not ICMP time exceeded quoting fragment zero: % x", reply)
	}
	c := s.Counters()
	if c.Dropped[DropFragmentTimeout] != 2 || c.TimeExceededSent != 1 || c.FragmentsHeld != 0 {
		t.Errorf("counters %+v", c)
	}
	checkAccounted(t, s)

	// Without fragment zero there is nothing to quote: the datagram only expires.
	dev.in <- frames[1]
	deadline := time.Now().Add(time.Second)
	for s.Counters().Dropped[DropFragmentTimeout] != 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	dev.none(t, 30*time.Millisecond)
	wantDropped(t, s, DropFragmentTimeout, 3)
}

func TestNoICMPErrorAboutAnICMPError(t *testing.T) {
	errMsg := ipPacket{protocol: 1, src: peerIP, dst: ourIP, payload: icmpEcho(3, 0, 0, make([]byte, 28))}.bytes()
	echo := ipPacket{protocol: 1, src: peerIP, dst: ourIP, payload: icmpEcho(8, 0, 0, nil)}.bytes()
	udp := ipPacket{protocol: 17, src: peerIP, dst: ourIP, payload: make([]byte, 8)}.bytes()
	if !quotesICMPError(errMsg[:28]) || quotesICMPError(echo[:28]) || quotesICMPError(udp[:28]) || quotesICMPError(errMsg[:20]) {
		t.Error("quotesICMPError: only ICMP error messages count")
	}
}

func TestServeAndClose(t *testing.T) {
	t.Run("a read error ends Serve with that error", func(t *testing.T) {
		dev := newMemDev()
		dev.readErr = errors.New("device gone")
		close(dev.in)
		if err := New(dev, Config{MAC: ourMAC, IP: ourIP}).Serve(); err == nil || err.Error() != "device gone" {
			t.Errorf("Serve = %v", err)
		}
	})
	t.Run("Close ends Serve with nil and makes everything else fail", func(t *testing.T) {
		dev := newMemDev()
		s := New(dev, Config{MAC: ourMAC, IP: ourIP})
		served := make(chan error)
		go func() { served <- s.Serve() }()
		dev.in <- echoRequestFrame(1, nil)
		dev.next(t)
		s.Close()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve after Close = %v", err)
			}
		case <-time.After(time.Second):
			t.Fatal("Serve still running after Close")
		}
		if err := s.Announce(); !errors.Is(err, ErrClosed) {
			t.Errorf("Announce after Close: %v", err)
		}
		if _, err := s.Ping(peerIP, 1, nil, time.Second); !errors.Is(err, ErrClosed) {
			t.Errorf("Ping after Close: %v", err)
		}
		if s.Close() != nil {
			t.Error("a second Close failed")
		}
	})
}

func TestAnnounceSendsAnARPAnnouncement(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	if err := s.Announce(); err != nil {
		t.Fatal(err)
	}
	want := ethFrame(broadcastMAC, ourMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 1, ourMAC, ourIP, zeroMAC, ourIP))
	if got := dev.next(t); !bytes.Equal(got, want) {
		t.Errorf("announcement\n got % x\nwant % x", got, want)
	}
	if c := s.Counters(); c.ARPAnnouncementsSent != 1 || c.FramesOut != 1 {
		t.Errorf("counters %+v", c)
	}
}

// errDev refuses every write.
type errDev struct{ memDev }

func (d *errDev) Write([]byte) (int, error) { return 0, errors.New("no room") }

func TestWriteErrorsAreCountedAndLoggedOnce(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	dev := &errDev{*newMemDev()}
	s := New(dev, Config{MAC: ourMAC, IP: ourIP, Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(f, a...))
	}})
	for i := 0; i < 3; i++ {
		s.apply(s.receive(echoRequestFrame(uint16(i), nil)))
	}
	if c := s.Counters(); c.WriteErrors != 3 || c.FramesOut != 0 {
		t.Errorf("counters %+v", c)
	}
	if err := s.Announce(); err == nil {
		t.Error("Announce hid the write error")
	}
	s.Close() // hands the queued log lines over
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, l := range logs {
		if strings.HasPrefix(l, "writing a frame failed: no room") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("write failure logged %d times: %q", n, logs)
	}
}

func TestStackArmsOneReassemblyTimerAtATime(t *testing.T) {
	s := newFedStack(Config{ReassemblyTimeout: 3 * time.Second})
	now := time.Unix(0, 0)
	s.now = func() time.Time { return now }
	var armed []time.Duration
	s.afterFunc = func(d time.Duration, _ func()) func() bool {
		armed = append(armed, d)
		return func() bool { return false }
	}
	first := func(id uint16) []byte { return fragmentFrames(id, 1, icmpEcho(8, 1, 1, pattern(2000, 0)), 1500)[0] }
	at := func(d time.Duration) { now = time.Unix(0, 0).Add(d) }

	feed(s, first(1))
	at(time.Second)
	feed(s, first(2))
	at(1500 * time.Millisecond)
	feed(s, first(3))
	if len(armed) != 1 || armed[0] != 3*time.Second {
		t.Fatalf("three datagrams started: timers %v, want one of 3s", armed)
	}
	for i, step := range []struct {
		at      time.Duration
		expired uint64
		rearm   []time.Duration
	}{
		{3 * time.Second, 1, []time.Duration{3 * time.Second, time.Second}},
		{4 * time.Second, 2, []time.Duration{3 * time.Second, time.Second, 500 * time.Millisecond}},
		{4500 * time.Millisecond, 3, []time.Duration{3 * time.Second, time.Second, 500 * time.Millisecond}},
	} {
		at(step.at)
		s.expired()
		if got := s.Counters().Dropped[DropFragmentTimeout]; got != step.expired || fmt.Sprint(armed) != fmt.Sprint(step.rearm) {
			t.Fatalf("step %d: %d expired, timers %v; want %d, %v", i, got, armed, step.expired, step.rearm)
		}
	}
	feed(s, first(4))
	if len(armed) != 4 || armed[3] != 3*time.Second {
		t.Errorf("a datagram after all had expired: timers %v", armed)
	}
}
