package netstack

import (
	"bytes"
	"fmt"
	"time"
)

// What the stack starts itself: the gratuitous ARP that tells the link our address, address
// resolution, and echo requests (Ping).

// pingIdentifier is the ICMP identifier of our echo requests.  iputils' ping uses its process
// id; a guest has one program, so a constant serves, and replies are matched on the peer's
// address and the sequence number as well.
const pingIdentifier = 0x5547 // "UG"

// MaxPingPayload is the most data an echo request can carry: 65535 minus the 20-byte IPv4
// and the 8-byte ICMP headers, ping -s 65507's limit.
const MaxPingPayload = maxDatagram - ipv4MinHeaderLen - icmpHeaderLen

type pingKey struct {
	peer    [4]byte
	id, seq uint16
}

type echoReply struct {
	data []byte
	at   time.Time
}

// Announce broadcasts a gratuitous ARP for our address: an ARP announcement (RFC 5227 section
// 3: a request with our address as sender and as target), so that neighbours that knew
// another hardware address for it update their caches and a switch learns our port.
func (s *Stack) Announce() error {
	if s.cfg.IP == zeroIP {
		return errNoAddress
	}
	p := arpPacket{op: arpRequest, senderMAC: s.cfg.MAC, senderIP: s.cfg.IP, targetIP: s.cfg.IP}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.c.ARPAnnouncementsSent++
	fx := effects{frames: [][]byte{s.arpFrame(broadcastMAC, p)}}
	s.mu.Unlock()
	return s.apply(fx)
}

// Ping sends one echo request with the given sequence number and payload to dst and waits for
// the matching reply, all within timeout.  dst's hardware address comes from the cache or
// from our own ARP requests first (every address is taken as on the link: there is no
// routing).  A request longer than the MTU is sent in fragments.  It returns the time from
// sending to the reply's arrival; a reply whose data differ from payload returns that time
// and ErrPayloadMismatch.  Other errors: ErrNoARPReply, ErrNoReply (timeout), ErrClosed, or
// the device's write error.
func (s *Stack) Ping(dst [4]byte, seq uint16, payload []byte, timeout time.Duration) (time.Duration, error) {
	switch {
	case len(payload) > MaxPingPayload:
		return 0, fmt.Errorf("%d bytes of payload: at most %d fit in a datagram", len(payload), MaxPingPayload)
	case s.cfg.IP == zeroIP:
		return 0, errNoAddress
	case dst == s.cfg.IP || isGroupIPv4(dst) || dst == zeroIP || isLoopbackIPv4(dst):
		return 0, fmt.Errorf("%s is not the address of another host", FormatIPv4(dst))
	}
	deadline := s.now().Add(timeout)
	mac, err := s.resolve(dst, deadline)
	if err != nil {
		return 0, err
	}

	key := pingKey{peer: dst, id: pingIdentifier, seq: seq}
	reply := make(chan echoReply, 1)
	var fx effects
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, ErrClosed
	}
	if _, busy := s.pings[key]; busy {
		s.mu.Unlock()
		return 0, fmt.Errorf("sequence number %d is already waiting for its reply from %s", seq, FormatIPv4(dst))
	}
	msg := appendICMPEcho(make([]byte, 0, icmpHeaderLen+len(payload)), icmpEchoRequest, pingIdentifier, seq, payload)
	if err := s.sendIPv4(mac, dst, protoICMP, 0, msg, &fx); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	s.pings[key] = reply
	s.c.EchoRequestsSent++
	s.mu.Unlock()

	forget := func() {
		s.mu.Lock()
		if s.pings[key] == reply {
			delete(s.pings, key)
		}
		s.mu.Unlock()
	}
	sent := s.now() // the reply's arrival is stamped with the same clock (receive_icmp.go)
	if err := s.apply(fx); err != nil {
		forget()
		return 0, err
	}
	expired, stop := s.after(deadline.Sub(s.now()))
	defer stop()
	select {
	case r := <-reply:
		rtt := r.at.Sub(sent)
		if !bytes.Equal(r.data, payload) {
			return rtt, ErrPayloadMismatch
		}
		return rtt, nil
	case <-expired:
		forget()
		return 0, fmt.Errorf("%w from %s within %v", ErrNoReply, FormatIPv4(dst), timeout)
	case <-s.done:
		return 0, ErrClosed
	}
}

// resolve returns dst's hardware address: from the cache, or by broadcasting up to
// ARPRetries requests ARPRetryInterval apart (RFC 1122 section 2.3.2.1 asks for such a
// limit; Linux sends 3, one second apart) and waiting for the reply, at most until deadline.
func (s *Stack) resolve(dst [4]byte, deadline time.Time) ([6]byte, error) {
	req := arpPacket{op: arpRequest, senderMAC: s.cfg.MAC, senderIP: s.cfg.IP, targetIP: dst}
	for sent := 0; ; sent++ {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return zeroMAC, ErrClosed
		}
		if mac, ok := s.arp.lookup(dst, s.now()); ok {
			s.mu.Unlock()
			return mac, nil
		}
		wait := deadline.Sub(s.now())
		if wait > s.cfg.ARPRetryInterval {
			wait = s.cfg.ARPRetryInterval
		}
		if sent == s.cfg.ARPRetries || wait <= 0 {
			s.arp.dropWaiter(dst)
			s.mu.Unlock()
			return zeroMAC, fmt.Errorf("%w from %s to %d request(s)", ErrNoARPReply, FormatIPv4(dst), sent)
		}
		learned := s.arp.waiter(dst)
		s.c.ARPRequestsSent++
		fx := effects{frames: [][]byte{s.arpFrame(broadcastMAC, req)}}
		s.mu.Unlock()
		if err := s.apply(fx); err != nil {
			return zeroMAC, err
		}
		expired, stop := s.after(wait)
		select {
		case <-learned:
		case <-expired:
		case <-s.done:
		}
		stop()
	}
}
