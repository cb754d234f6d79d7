package netstack

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A peer on the other end of a memDev: it answers our ARP requests and echo requests the way
// a Linux host would (reassembling ours and fragmenting its replies), as configured.
type testPeer struct {
	answerARP, answerEcho bool
	corrupt               bool          // flip a byte of every echo reply's data
	delay                 time.Duration // before each echo reply
	beforeEcho            func()        // called before each echo reply, when set
	arpRequests           atomic.Int32
}

func (p *testPeer) run(t *testing.T, dev *memDev) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		r := newReassembler(time.Second, 1<<20, 4)
		for {
			var f []byte
			select {
			case f = <-dev.out:
			case <-stop:
				return
			}
			eth, payload, _ := parseEthernet(f)
			switch eth.etherType {
			case etherTypeARP:
				a, reason := parseARP(payload)
				if reason != 0 || a.op != arpRequest || a.targetIP != peerIP || a.senderIP == a.targetIP {
					continue
				}
				p.arpRequests.Add(1)
				if p.answerARP {
					dev.in <- ethFrame(a.senderMAC, peerMAC, 0x0806, arpBytes(1, 0x0800, 6, 4, 2, peerMAC, peerIP, a.senderMAC, a.senderIP))
				}
			case etherTypeIPv4:
				h, header, data, reason := parseIPv4(payload)
				if reason != 0 || h.dst != peerIP {
					continue
				}
				if h.isFragment() {
					out := r.add(h, header, data, eth.src, time.Now())
					if !out.done {
						continue
					}
					data = out.payload
				}
				if !p.answerEcho || len(data) < 8 || data[0] != icmpEchoRequest {
					continue
				}
				echoData := append([]byte(nil), data[8:]...)
				if p.corrupt && len(echoData) > 0 {
					echoData[len(echoData)-1] ^= 1
				}
				reply := icmpEcho(0, uint16(data[4])<<8|uint16(data[5]), uint16(data[6])<<8|uint16(data[7]), echoData)
				time.Sleep(p.delay)
				if p.beforeEcho != nil {
					p.beforeEcho()
				}
				for _, frame := range fragmentFrames(0x7000, 1, reply, 1500) {
					dev.in <- frame
				}
			}
		}
	}()
}

func TestPingResolvesThenGetsReplies(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	peer := &testPeer{answerARP: true, answerEcho: true}
	peer.run(t, dev)
	for seq, size := range []int{56, 0, 1473, 65507} {
		rtt, err := s.Ping(peerIP, uint16(seq+1), pattern(size, byte(seq)), 2*time.Second)
		if err != nil || rtt <= 0 {
			t.Fatalf("ping with %d data bytes: rtt %v, %v", size, rtt, err)
		}
	}
	c := s.Counters()
	if peer.arpRequests.Load() != 1 || c.ARPRequestsSent != 1 || c.ARPRepliesIn != 1 {
		t.Errorf("ARP: %d requests seen by the peer, counters %+v; want one, then the cache", peer.arpRequests.Load(), c)
	}
	if c.EchoRequestsSent != 4 || c.EchoRepliesIn != 4 || c.DatagramsFragmented != 2 || c.DatagramsReassembled != 2 || c.TotalDropped() != 0 {
		t.Errorf("counters %+v", c)
	}
	checkAccounted(t, s)
}

func TestPingNoticesAChangedPayload(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	(&testPeer{answerARP: true, answerEcho: true, corrupt: true}).run(t, dev)
	if rtt, err := s.Ping(peerIP, 1, pattern(56, 0), 2*time.Second); !errors.Is(err, ErrPayloadMismatch) || rtt <= 0 {
		t.Errorf("rtt %v, %v; want a time and ErrPayloadMismatch", rtt, err)
	}
}

func TestPingGivesUpOnARPAfterTheRetries(t *testing.T) {
	s, dev := newTestStack(t, Config{ARPRetries: 3, ARPRetryInterval: 20 * time.Millisecond})
	peer := &testPeer{}
	peer.run(t, dev)
	start := time.Now()
	_, err := s.Ping(peerIP, 1, nil, 5*time.Second)
	if !errors.Is(err, ErrNoARPReply) {
		t.Fatalf("err %v, want ErrNoARPReply", err)
	}
	if took := time.Since(start); took < 60*time.Millisecond || took > 2*time.Second {
		t.Errorf("gave up after %v; three requests 20 ms apart take 60 ms", took)
	}
	if c := s.Counters(); c.ARPRequestsSent != 3 || c.EchoRequestsSent != 0 {
		t.Errorf("counters %+v", c)
	}
	// The timeout bounds resolution too.
	s2, dev2 := newTestStack(t, Config{ARPRetries: 3, ARPRetryInterval: time.Second})
	(&testPeer{}).run(t, dev2)
	start = time.Now()
	if _, err := s2.Ping(peerIP, 1, nil, 50*time.Millisecond); !errors.Is(err, ErrNoARPReply) || time.Since(start) > 500*time.Millisecond {
		t.Errorf("with a 50 ms timeout: %v after %v", err, time.Since(start))
	}
}

func TestPingTimesOutAndALateReplyIsCounted(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	(&testPeer{answerARP: true, answerEcho: true, delay: 150 * time.Millisecond}).run(t, dev)
	if _, err := s.Ping(peerIP, 9, nil, 100*time.Millisecond); !errors.Is(err, ErrNoReply) {
		t.Fatalf("err %v, want ErrNoReply", err)
	}
	deadline := time.Now().Add(time.Second)
	for s.Counters().Dropped[DropICMPUnexpectedReply] == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	wantDropped(t, s, DropICMPUnexpectedReply, 1)
	checkAccounted(t, s)
}

// Ping reads the stack's clock, not the wall clock: with a clock the test moves, the round
// trip is what the test made it and a timeout comes when the test says, at once.

func TestPingMeasuresTheRoundTripOnTheStacksClock(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	clock := useFakeClock(s)
	peer := &testPeer{answerARP: true, answerEcho: true, beforeEcho: func() { clock.advance(7 * time.Millisecond) }}
	peer.run(t, dev)
	for seq := uint16(1); seq <= 2; seq++ {
		if rtt, err := s.Ping(peerIP, seq, pattern(56, 0), 2*time.Second); err != nil || rtt != 7*time.Millisecond {
			t.Errorf("seq %d: rtt %v, %v; want exactly the 7 ms the clock moved", seq, rtt, err)
		}
	}
}

func TestPingTimesOutOnTheStacksClock(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	clock := useFakeClock(s)
	(&testPeer{answerARP: true}).run(t, dev)
	done := make(chan error, 1)
	go func() {
		_, err := s.Ping(peerIP, 1, nil, time.Hour)
		done <- err
	}()
	clock.waitArmed(t) // resolution's wait for the ARP reply, which comes
	clock.waitArmed(t) // the wait for the echo reply, which does not
	clock.advance(time.Hour - time.Nanosecond)
	select {
	case err := <-done:
		t.Fatalf("Ping returned before its deadline: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	clock.advance(time.Nanosecond)
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoReply) {
			t.Errorf("err %v, want ErrNoReply", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Ping still waits a second after its deadline")
	}
}

func TestPingGivesUpOnARPOnTheStacksClock(t *testing.T) {
	for _, tt := range []struct {
		timeout  time.Duration
		waits    []time.Duration // each wait between requests, as the clock must pass it
		requests uint64
	}{
		{time.Hour, []time.Duration{time.Second, time.Second, time.Second}, 3},             // the retries run out
		{1500 * time.Millisecond, []time.Duration{time.Second, 500 * time.Millisecond}, 2}, // the deadline comes first
	} {
		s, dev := newTestStack(t, Config{ARPRetries: 3, ARPRetryInterval: time.Second})
		clock := useFakeClock(s)
		(&testPeer{}).run(t, dev)
		done := make(chan error, 1)
		go func() {
			_, err := s.Ping(peerIP, 1, nil, tt.timeout)
			done <- err
		}()
		for _, wait := range tt.waits {
			clock.waitArmed(t)
			clock.advance(wait - time.Nanosecond)
			if c := s.Counters(); c.ARPRequestsSent > tt.requests {
				t.Fatalf("timeout %v: %d ARP requests sent", tt.timeout, c.ARPRequestsSent)
			}
			clock.advance(time.Nanosecond)
		}
		select {
		case err := <-done:
			if !errors.Is(err, ErrNoARPReply) {
				t.Errorf("timeout %v: err %v, want ErrNoARPReply", tt.timeout, err)
			}
		case <-time.After(time.Second):
			t.Fatalf("timeout %v: Ping still resolves", tt.timeout)
		}
		if c := s.Counters(); c.ARPRequestsSent != tt.requests || c.EchoRequestsSent != 0 {
			t.Errorf("timeout %v: counters %+v, want %d ARP requests", tt.timeout, c, tt.requests)
		}
	}
}

func TestPingEndsWithClose(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	(&testPeer{answerARP: true}).run(t, dev)
	go func() {
		time.Sleep(50 * time.Millisecond)
		s.Close()
	}()
	if _, err := s.Ping(peerIP, 1, nil, 5*time.Second); !errors.Is(err, ErrClosed) {
		t.Errorf("err %v, want ErrClosed", err)
	}
}

func TestPingRefuses(t *testing.T) {
	s, _ := newTestStack(t, Config{})
	for _, dst := range [][4]byte{ourIP, {224, 0, 0, 1}, {255, 255, 255, 255}, {127, 0, 0, 1}, {}} {
		if _, err := s.Ping(dst, 1, nil, time.Second); err == nil {
			t.Errorf("ping %v: no error", dst)
		}
	}
	if _, err := s.Ping(peerIP, 1, make([]byte, MaxPingPayload+1), time.Second); err == nil {
		t.Error("65508 data bytes: no error")
	}
	if MaxPingPayload != 65507 {
		t.Errorf("MaxPingPayload %d, want ping -s's 65507", MaxPingPayload)
	}
}

func TestPingSequenceInUse(t *testing.T) {
	s, dev := newTestStack(t, Config{})
	(&testPeer{answerARP: true, answerEcho: true, delay: 200 * time.Millisecond}).run(t, dev)
	if _, err := s.Ping(peerIP, 1, nil, time.Second); err != nil { // resolves ARP first
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := s.Ping(peerIP, 2, nil, time.Second); done <- err }()
	time.Sleep(50 * time.Millisecond)
	if _, err := s.Ping(peerIP, 2, nil, time.Second); err == nil || !bytes.Contains([]byte(err.Error()), []byte("already waiting")) {
		t.Errorf("a second ping with a waiting sequence number: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("the first ping: %v", err)
	}
}
