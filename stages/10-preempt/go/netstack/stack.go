package netstack

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// The Stack: its state, the loop that reads frames, and how the work a frame causes is done.
//
// One lock guards all state.  A frame is handled entirely under it, which is quick and never
// waits for anything; what handling decides to do outside (frames to write, lines to log) is
// collected in an effects value and done after the lock is released, so a slow device or a
// slow console never holds up a Ping or a reassembly timer.

// Errors of Ping, Announce and Serve.
var (
	ErrClosed          = errors.New("netstack: stack closed")
	ErrNoARPReply      = errors.New("no ARP reply")
	ErrNoReply         = errors.New("no echo reply")
	ErrPayloadMismatch = errors.New("echo reply payload differs from the request's")
)

// Stack is an Ethernet/ARP/IPv4/ICMP endpoint on one device.  Its methods are safe for
// concurrent use.
type Stack struct {
	dev io.ReadWriter
	cfg Config

	mu       sync.Mutex
	closed   bool
	done     chan struct{} // closed by Close: wakes waiting Pings
	c        counters
	log      *logger // nil without Config.Logf
	arp      *arpCache
	reasm    *reassembler
	pings    map[pingKey]chan echoReply
	ipID     uint16
	icmpErrs tokenBucket
	logged   [numDropReasons]bool // LogDrops: the reasons already logged once
	// expiryArmed: the reassembly timer is set (for the earliest deadline held).
	expiryArmed bool
	wroteErr    bool // a write error has been logged

	writeMu   sync.Mutex // one frame at a time on the device
	closeOnce sync.Once
	closeErr  error

	// The stack's one clock: what it reads the time from (cache entries, reassembly
	// deadlines, the arrival of echo replies, Ping's deadline and round-trip time) and how it
	// arms timers (reassembly expiry, the waits of Ping and of address resolution), each
	// with the function that stops it early.  time.Now and time.AfterFunc; the tests put a
	// clock of their own in, which moves only when they advance it, so that expiry and
	// timeouts happen when the test says, not in the background.
	now       func() time.Time
	afterFunc func(d time.Duration, f func()) (stop func() bool)
}

// New returns a stack that reads and writes Ethernet frames on dev, one frame per Read and per
// Write (a TAP device with IFF_TAP|IFF_NO_PI, or the guest's /dev/vif0).  The stack owns dev
// from now on: Close closes it if it is an io.Closer.  Nothing is read until Serve.
func New(dev io.ReadWriter, cfg Config) *Stack {
	cfg = cfg.withDefaults()
	s := &Stack{
		dev:   dev,
		cfg:   cfg,
		done:  make(chan struct{}),
		arp:   newARPCache(cfg.ARPCacheTimeout, cfg.ARPCacheSize),
		reasm: newReassembler(cfg.ReassemblyTimeout, cfg.MaxReassemblyBytes, cfg.MaxReassemblyDatagrams),
		pings: map[pingKey]chan echoReply{},
		ipID:  1,
		now:   time.Now,
		afterFunc: func(d time.Duration, f func()) func() bool {
			return time.AfterFunc(d, f).Stop
		},
	}
	if cfg.Logf != nil {
		s.log = newLogger(cfg.Logf)
	}
	return s
}

// readBufferSize holds any frame a device could deliver: a read into a shorter buffer
// silently cuts a TAP frame.  Frames beyond 14 + MTU are then counted, not truncated.
const readBufferSize = 1 << 16

// Serve reads and handles frames until the device's Read fails, and returns that error; after
// Close it returns nil.  Call it once, in its own goroutine.
func (s *Stack) Serve() error {
	buf := make([]byte, readBufferSize)
	for {
		n, err := s.dev.Read(buf)
		if err != nil {
			if s.isClosed() {
				return nil
			}
			return err
		}
		s.apply(s.receive(buf[:n]))
	}
}

// Close stops the stack: Serve returns nil, waiting Pings return ErrClosed, and dev is closed
// if it is an io.Closer (which is what interrupts a Read in progress).  The log lines still
// queued are handed to Logf before Close returns.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		s.mu.Unlock()
		if c, ok := s.dev.(io.Closer); ok {
			s.closeErr = c.Close()
		}
		if s.log != nil {
			s.log.close()
		}
	})
	return s.closeErr
}

// after returns a channel that is closed once d has passed on the stack's clock, and the
// function that stops the timer early.
func (s *Stack) after(d time.Duration) (<-chan struct{}, func() bool) {
	fired := make(chan struct{})
	stop := s.afterFunc(d, func() { close(fired) })
	return fired, stop
}

func (s *Stack) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Counters returns a snapshot of the counters.
func (s *Stack) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.snapshot(s.reasm.frames)
}

// effects is what handling a frame (or a timer) leaves to do once the lock is released.
type effects struct {
	logs   []string
	frames [][]byte
}

func (fx *effects) logf(format string, args ...any) {
	fx.logs = append(fx.logs, fmt.Sprintf(format, args...))
}

// receive handles one frame under the lock.
func (s *Stack) receive(frame []byte) effects {
	var fx effects
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fx
	}
	s.c.FramesIn++
	s.receiveEthernet(frame, s.now(), &fx)
	return fx
}

// drop counts frames dropped for r (and logs the first of each reason if asked to).
func (s *Stack) drop(fx *effects, r DropReason, frames int) {
	s.c.drop(r, frames)
	if s.cfg.LogDrops && !s.logged[r] {
		s.logged[r] = true
		fx.logf("first drop: %s (later ones are only counted)", r)
	}
}

// handled counts frames acted on.
func (s *Stack) handled(frames int) { s.c.FramesHandled += uint64(frames) }

// apply logs and writes what fx holds, without the lock; it returns the first write error.
func (s *Stack) apply(fx effects) error {
	if s.log != nil {
		for _, line := range fx.logs {
			s.log.log(line)
		}
	}
	if len(fx.frames) == 0 {
		return nil
	}
	var firstErr error
	var out, failed uint64
	s.writeMu.Lock()
	for _, f := range fx.frames {
		if s.isClosed() {
			break
		}
		if _, err := s.dev.Write(f); err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		out++
	}
	s.writeMu.Unlock()

	s.mu.Lock()
	s.c.FramesOut += out
	s.c.WriteErrors += failed
	logIt := firstErr != nil && !s.wroteErr && !s.closed
	if logIt {
		s.wroteErr = true
	}
	s.mu.Unlock()
	if logIt && s.log != nil {
		s.log.log(fmt.Sprintf("writing a frame failed: %v (later failures are only counted)", firstErr))
	}
	return firstErr
}
