package main

import (
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"unigornel/goapp/netstack"
)

// The net program's console commands, run against a second netstack.Stack at the other end of
// an in-memory link (the stack answers ping, so it can stand in for dom0).

// endpoint is one end of a link: what one end writes, the other reads.
type endpoint struct {
	in, out chan []byte
	closed  chan struct{}
	once    sync.Once
}

func link() (*endpoint, *endpoint) {
	ab, ba := make(chan []byte, 1024), make(chan []byte, 1024)
	return &endpoint{in: ba, out: ab, closed: make(chan struct{})}, &endpoint{in: ab, out: ba, closed: make(chan struct{})}
}

func (e *endpoint) Read(b []byte) (int, error) {
	select {
	case f := <-e.in:
		return copy(b, f), nil
	case <-e.closed:
		return 0, io.EOF
	}
}

func (e *endpoint) Write(b []byte) (int, error) {
	select {
	case <-e.closed:
		return 0, io.ErrClosedPipe
	case e.out <- append([]byte(nil), b...):
		return len(b), nil
	}
}

func (e *endpoint) Close() error {
	e.once.Do(func() { close(e.closed) })
	return nil
}

// captureStdout runs f with os.Stdout going to a pipe and returns what f printed.
func captureStdout(t *testing.T, f func()) string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		out, _ := io.ReadAll(r)
		done <- string(out)
	}()
	f()
	os.Stdout = saved
	w.Close()
	return <-done
}

func serve(t *testing.T, s *netstack.Stack) {
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

func TestNetCommands(t *testing.T) {
	guestEnd, hostEnd := link()
	guest := netstack.New(guestEnd, netstack.Config{MAC: [6]byte{0, 0x16, 0x3e, 0x63, 0, 2}, IP: [4]byte{10, 99, 0, 2}})
	host := netstack.New(hostEnd, netstack.Config{MAC: [6]byte{2, 0, 0x0a, 0x63, 0, 1}, IP: [4]byte{10, 99, 0, 1}})
	serve(t, guest)
	serve(t, host)

	input := strings.Join([]string{
		"ping 10.99.0.1 2", "", "ping 10.99.0.1 1 65507", "stats", "bogus",
		"ping", "ping 10.99.0.1 0", "ping 10.99.0.1 1 65508", "ping 10.99.0.256",
		"quit", "ping 10.99.0.1",
	}, "\n")
	out := captureStdout(t, func() { netCommands(guest, strings.NewReader(input)) })
	out = regexp.MustCompile(`\(time=\d+\.\d{3} ms\)`).ReplaceAllString(out, "(time=<t> ms)")

	usage := "net: usage: ping A.B.C.D [count [size]] (count 1-1000, default 3; size 0-65507, default 56)"
	want := []string{
		"ping 10.99.0.1: seq=1 reply, 56 data bytes, payload matches (time=<t> ms)",
		"ping 10.99.0.1: seq=2 reply, 56 data bytes, payload matches (time=<t> ms)",
		"ping 10.99.0.1: requests 2, replies 2, payloads differ 0",
		"ping 10.99.0.1: seq=3 reply, 65507 data bytes, payload matches (time=<t> ms)",
		"ping 10.99.0.1: requests 1, replies 1, payloads differ 0",
		"net: counters:",
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < len(want) {
		t.Fatalf("output:\n%s", out)
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d: %q, want %q", i+1, lines[i], w)
		}
	}
	// The counters, then the answers to the bad commands; nothing after quit.
	rest := lines[len(want):]
	counters := guest.Counters().Lines()
	if len(rest) != len(counters)+5 {
		t.Fatalf("after the counters' header:\n%s", strings.Join(rest, "\n"))
	}
	for i, c := range counters {
		if !strings.HasPrefix(rest[i], "  ") || strings.Fields(rest[i])[0] != strings.Fields(c)[0] {
			t.Errorf("counter line %q, want one like %q", rest[i], c)
		}
	}
	tail := rest[len(counters):]
	wantTail := []string{`net: unknown command "bogus" (known: ping A.B.C.D [count [size]], stats, quit)`, usage, usage, usage, usage}
	for i := range wantTail {
		if tail[i] != wantTail[i] {
			t.Errorf("%q, want %q", tail[i], wantTail[i])
		}
	}
	if c := host.Counters(); c.EchoRequestsAnswered != 3 {
		t.Errorf("the other end answered %d echo requests, want 3", c.EchoRequestsAnswered)
	}
}

func TestNetCommandsEndOfInputIsQuit(t *testing.T) {
	end, _ := link()
	s := netstack.New(end, netstack.Config{MAC: [6]byte{0, 0x16, 0x3e, 0, 0, 1}, IP: [4]byte{10, 0, 0, 1}})
	if out := captureStdout(t, func() { netCommands(s, strings.NewReader("")) }); out != "net: end of input\n" {
		t.Errorf("output %q", out)
	}
}

func TestNetMainWithoutNetworkCard(t *testing.T) {
	if _, err := os.Stat(vifPath); err == nil {
		t.Skipf("%s exists here", vifPath)
	}
	out := captureStdout(t, func() { netMain([]string{"goapp", "net"}) })
	if want := "net: no network card: /dev/vif0 does not exist (the guest has no vif, or the kernel could not connect it: see its netfront lines)\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestParsePingArgs(t *testing.T) {
	tests := []struct {
		line        string
		count, size int
		ok          bool
	}{
		{"10.99.0.1", 3, 56, true},
		{"10.99.0.1 5", 5, 56, true},
		{"10.99.0.1 1 65507", 1, 65507, true},
		{"10.99.0.1 1 0", 1, 0, true},
		{"", 0, 0, false},
		{"10.99.0", 0, 0, false},
		{"10.99.0.1 0", 0, 0, false},
		{"10.99.0.1 1001", 0, 0, false},
		{"10.99.0.1 1 65508", 0, 0, false},
		{"10.99.0.1 1 -1", 0, 0, false},
		{"10.99.0.1 x", 0, 0, false},
		{"10.99.0.1 1 1 1", 0, 0, false},
	}
	for _, tt := range tests {
		dst, count, size, ok := parsePingArgs(strings.Fields(tt.line))
		if ok != tt.ok || (ok && (dst != [4]byte{10, 99, 0, 1} || count != tt.count || size != tt.size)) {
			t.Errorf("%q: %v %d %d %v, want %d %d %v", tt.line, dst, count, size, ok, tt.count, tt.size, tt.ok)
		}
	}
}

// A console line is outside input: any words give a usage answer or values within bounds.
func FuzzParsePingArgs(f *testing.F) {
	for _, line := range []string{"10.99.0.1", "10.99.0.1 5 1473", "10.99.0.1 +5", "1.2.3.4 1 65507", "x y z w"} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		_, count, size, ok := parsePingArgs(strings.Fields(line))
		if ok && (count < 1 || count > pingMaxCount || size < 0 || size > netstack.MaxPingPayload) {
			t.Fatalf("%q: count %d size %d", line, count, size)
		}
	})
}
