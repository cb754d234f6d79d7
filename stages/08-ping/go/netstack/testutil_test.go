package netstack

import (
	"encoding/binary"
	"io"
	"sort"
	"sync"
	"testing"
	"time"
)

// Test fixtures: a frame device in memory and builders for the frames a peer sends.

var (
	ourMAC  = [6]byte{0x00, 0x16, 0x3e, 0x63, 0x00, 0x02}
	ourIP   = [4]byte{10, 99, 0, 2}
	peerMAC = [6]byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff}
	peerIP  = [4]byte{10, 99, 0, 1}
)

// memDev is a device whose frames in come from in and whose frames out go to out.  Read
// blocks until a frame comes or the device is closed (then io.EOF, or readErr if set).
type memDev struct {
	in      chan []byte
	out     chan []byte
	closed  chan struct{}
	once    sync.Once
	readErr error
}

func newMemDev() *memDev {
	return &memDev{in: make(chan []byte, 256), out: make(chan []byte, 4096), closed: make(chan struct{})}
}

func (d *memDev) Read(b []byte) (int, error) {
	select {
	case f, ok := <-d.in:
		if !ok {
			if d.readErr != nil {
				return 0, d.readErr
			}
			return 0, io.EOF
		}
		return copy(b, f), nil
	case <-d.closed:
		return 0, io.EOF
	}
}

func (d *memDev) Write(b []byte) (int, error) {
	select {
	case <-d.closed:
		return 0, io.ErrClosedPipe
	default:
	}
	d.out <- append([]byte(nil), b...)
	return len(b), nil
}

func (d *memDev) Close() error {
	d.once.Do(func() { close(d.closed) })
	return nil
}

// next returns the next frame the stack wrote, failing the test after a second.
func (d *memDev) next(t *testing.T) []byte {
	t.Helper()
	select {
	case f := <-d.out:
		return f
	case <-time.After(time.Second):
		t.Fatal("no frame written within 1 s")
		return nil
	}
}

// none checks that the stack writes nothing for a while.
func (d *memDev) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case f := <-d.out:
		t.Fatalf("unexpected frame written: % x", f)
	case <-time.After(wait):
	}
}

// armNoTimer is the stack's afterFunc for a test that runs expiry itself: nothing is armed.
func armNoTimer(time.Duration, func()) func() bool { return func() bool { return false } }

// fakeClock is a clock for the stack that moves only when the test advances it: the stack
// reads its time, and the timers it arms fire when advance reaches their deadline.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	timers []*fakeTimer
	armed  chan struct{} // a token per timer armed, for waitArmed
}

type fakeTimer struct {
	at   time.Time
	f    func()
	done bool // fired or stopped
}

// useFakeClock gives s a fakeClock.  Call it before anything reaches the stack.
func useFakeClock(s *Stack) *fakeClock {
	c := &fakeClock{t: time.Unix(1e9, 0), armed: make(chan struct{}, 1024)}
	s.now = c.now
	s.afterFunc = c.afterFunc
	return c
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) afterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	timer := &fakeTimer{at: c.t.Add(d), f: f}
	c.timers = append(c.timers, timer)
	c.mu.Unlock()
	c.armed <- struct{}{}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		stopped := !timer.done
		timer.done = true
		return stopped
	}
}

// advance moves the clock on by d and runs the timers due by then, earliest first.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	var due []*fakeTimer
	pending := c.timers[:0]
	for _, timer := range c.timers {
		switch {
		case timer.done:
		case !timer.at.After(c.t):
			timer.done = true
			due = append(due, timer)
		default:
			pending = append(pending, timer)
		}
	}
	c.timers = pending
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, timer := range due {
		timer.f()
	}
}

// waitArmed waits until the stack has armed its next timer, failing the test after a second.
func (c *fakeClock) waitArmed(t *testing.T) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(time.Second):
		t.Fatal("no timer armed within 1 s")
	}
}

// newTestStack returns a stack on a memDev, serving, and closes both at the test's end.
func newTestStack(t *testing.T, cfg Config) (*Stack, *memDev) {
	t.Helper()
	if cfg.MAC == zeroMAC {
		cfg.MAC = ourMAC
	}
	if cfg.IP == zeroIP {
		cfg.IP = ourIP
	}
	dev := newMemDev()
	s := New(dev, cfg)
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve after Close returned %v, want nil", err)
		}
	})
	return s, dev
}

// feed hands frames to the stack directly, as Serve would, and returns what it wrote.
func feed(s *Stack, frames ...[]byte) [][]byte {
	var out [][]byte
	for _, f := range frames {
		fx := s.receive(f)
		out = append(out, fx.frames...)
	}
	return out
}

// --- Frames a peer sends, built field by field (not with the code under test where a test
// checks that code's output) ---------------------------------------------------------------

func ethFrame(dst, src [6]byte, etherType uint16, payload []byte) []byte {
	f := append(append(append([]byte{}, dst[:]...), src[:]...), byte(etherType>>8), byte(etherType))
	return append(f, payload...)
}

// ipPacket is an IPv4 packet with a 20-byte header; fields left zero get sane values.
type ipPacket struct {
	tos         uint8
	id          uint16
	flags       uint16 // DF/MF bits and the offset in 8-byte units, as on the wire
	ttl         uint8
	protocol    uint8
	src, dst    [4]byte
	payload     []byte
	totalLen    int // 0: 20 + len(payload)
	badChecksum bool
	versionIHL  uint8 // 0: 0x45
	options     []byte
	keepZeroTTL bool
}

func (p ipPacket) bytes() []byte {
	vihl := p.versionIHL
	if vihl == 0 {
		vihl = 0x45 + uint8(len(p.options)/4)
	}
	ttl := p.ttl
	if ttl == 0 && !p.keepZeroTTL {
		ttl = 64
	}
	hl := 20 + len(p.options)
	total := p.totalLen
	if total == 0 {
		total = hl + len(p.payload)
	}
	h := make([]byte, 20, hl)
	h[0], h[1] = vihl, p.tos
	binary.BigEndian.PutUint16(h[2:], uint16(total))
	binary.BigEndian.PutUint16(h[4:], p.id)
	binary.BigEndian.PutUint16(h[6:], p.flags)
	h[8], h[9] = ttl, p.protocol
	copy(h[12:], p.src[:])
	copy(h[16:], p.dst[:])
	h = append(h, p.options...)
	sum := refChecksum(h)
	if p.badChecksum {
		sum ^= 0x0101
	}
	binary.BigEndian.PutUint16(h[10:], sum)
	return append(h, p.payload...)
}

// refChecksum is a second, plain implementation of RFC 1071's sum (word by word in 32 bits,
// then folded), so the tests do not check checksum() against itself.
func refChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// icmpEcho is an ICMP echo message (type 8 request or 0 reply) with a correct checksum.
func icmpEcho(typ uint8, id, seq uint16, data []byte) []byte {
	m := []byte{typ, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
	m = append(m, data...)
	binary.BigEndian.PutUint16(m[2:], refChecksum(m))
	return m
}

// pattern returns n bytes of varied data.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

// echoRequestFrame is what a peer's ping sends us: one frame.
func echoRequestFrame(seq uint16, data []byte) []byte {
	ip := ipPacket{id: 0x1234 + seq, protocol: 1, src: peerIP, dst: ourIP, payload: icmpEcho(8, 0xbeef, seq, data)}
	return ethFrame(ourMAC, peerMAC, 0x0800, ip.bytes())
}

// fragmentFrames splits an IPv4 payload into frames of at most mtu bytes of IP, as Linux
// would, for a peer's datagram.
func fragmentFrames(id uint16, protocol uint8, payload []byte, mtu int) [][]byte {
	per := (mtu - 20) &^ 7
	var frames [][]byte
	for off := 0; off < len(payload); off += per {
		end := off + per
		if end > len(payload) {
			end = len(payload)
		}
		flags := uint16(off / 8)
		if end < len(payload) {
			flags |= 0x2000
		}
		ip := ipPacket{id: id, flags: flags, protocol: protocol, src: peerIP, dst: ourIP, payload: payload[off:end]}
		frames = append(frames, ethFrame(ourMAC, peerMAC, 0x0800, ip.bytes()))
	}
	return frames
}

// arpFrameBytes builds an ARP packet field by field.
func arpBytes(htype, ptype uint16, hlen, plen uint8, op uint16, sha [6]byte, spa [4]byte, tha [6]byte, tpa [4]byte) []byte {
	b := []byte{byte(htype >> 8), byte(htype), byte(ptype >> 8), byte(ptype), hlen, plen, byte(op >> 8), byte(op)}
	b = append(b, sha[:]...)
	b = append(b, spa[:]...)
	b = append(b, tha[:]...)
	return append(b, tpa[:]...)
}

// checkAccounted fails the test if a frame went uncounted.
func checkAccounted(t *testing.T, s *Stack) {
	t.Helper()
	if c := s.Counters(); c.Unaccounted() != 0 {
		t.Errorf("frames unaccounted for: %d (in %d, handled %d, dropped %d, held %d)",
			c.Unaccounted(), c.FramesIn, c.FramesHandled, c.TotalDropped(), c.FragmentsHeld)
	}
}
