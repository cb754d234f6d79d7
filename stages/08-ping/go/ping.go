// The net program: Go answers ping on the guest's network card and pings from the
// console.  The card is /dev/vif0, one Ethernet frame per read and per write (the kernel's
// netfront); the stack on it is package netstack, plain Go.  The kernel hands over the vif's
// configuration in VIF0_MAC, VIF0_IP and VIF0_MTU; a command-line word ip=A.B.C.D overrides the
// address.
//
// Console lines (the checker's transcripts compare them; only the times in "(time=... ms)"
// vary from run to run):
//
//	net: 00:16:3e:63:00:02 10.99.0.2 mtu 1500
//	net: ready, ping me
//	net: echo request from 10.99.0.1: seq=1, 56 data bytes       one per request answered
//	ping 10.99.0.1: seq=1 reply, 56 data bytes, payload matches (time=0.412 ms)
//	ping 10.99.0.1: requests 3, replies 3, payloads differ 0
//	net: counters:                                               then "  label  value" lines
//	net: closed
//
// Commands, one per line on the console: "ping A.B.C.D [count [size]]", "stats", "quit".  The
// end of input is quit too; after it Main returns and the domain powers off.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"unigornel/goapp/netstack"
)

const (
	vifPath         = "/dev/vif0"
	pingTimeout     = 3 * time.Second
	pingInterval    = 200 * time.Millisecond
	pingDefaultSize = 56 // iputils' default
	pingMaxCount    = 1000
)

func netMain(args []string) {
	dev, err := os.OpenFile(vifPath, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Println("net: no network card: /dev/vif0 does not exist (the guest has no vif, or the kernel could not connect it: see its netfront lines)")
		return
	}
	if err != nil {
		fmt.Printf("net: cannot open %s: %v\n", vifPath, err)
		return
	}
	cfg, err := netstack.ConfigFromEnv(os.Getenv, args)
	if err != nil {
		dev.Close()
		fmt.Printf("net: bad configuration: %v\n", err)
		return
	}
	if cfg.IP == [4]byte{} {
		dev.Close()
		fmt.Printf("net: %s has no IPv4 address: give the vif one (xl vif=['ip=...']) or the command line ip=A.B.C.D\n",
			netstack.FormatMAC(cfg.MAC))
		return
	}
	// "quiet" on the command line: no line per echo request (the benchmark's setting -- each
	// console line costs the guest hypercalls and dom0 xenconsoled's time, which a Linux guest
	// answering ping does not spend).
	if !hasWord(args, "quiet") {
		cfg.Logf = func(format string, a ...any) { fmt.Printf("net: "+format+"\n", a...) }
	}
	fmt.Printf("net: %s %s mtu %d\n", netstack.FormatMAC(cfg.MAC), netstack.FormatIPv4(cfg.IP), cfg.MTU)

	s := netstack.New(dev, cfg)
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := s.Serve(); err != nil {
			fmt.Printf("net: reading %s failed: %v\n", vifPath, err)
		}
	}()
	if err := s.Announce(); err != nil {
		fmt.Printf("net: gratuitous ARP not sent: %v\n", err)
	}
	fmt.Println("net: ready, ping me")

	netCommands(s, os.Stdin)
	s.Close() // prints the stack's last log lines, so that the counters come after them
	<-served
	printCounters(s)
	fmt.Println("net: closed")
}

// netCommands reads command lines until "quit" or the end of input.
func netCommands(s *netstack.Stack, in io.Reader) {
	lines := bufio.NewScanner(in)
	seq := uint16(0) // one sequence for every ping command: a late reply never matches a new request
	for lines.Scan() {
		words := strings.Fields(lines.Text())
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "ping":
			seq = pingCommand(s, words[1:], seq)
		case "stats":
			printCounters(s)
		case "quit":
			return
		default:
			fmt.Printf("net: unknown command %q (known: ping A.B.C.D [count [size]], stats, quit)\n", words[0])
		}
	}
	fmt.Println("net: end of input")
}

// pingCommand runs "ping A.B.C.D [count [size]]" and returns the last sequence number used.
func pingCommand(s *netstack.Stack, args []string, seq uint16) uint16 {
	dst, count, size, ok := parsePingArgs(args)
	if !ok {
		fmt.Printf("net: usage: ping A.B.C.D [count [size]] (count 1-%d, default 3; size 0-%d, default %d)\n",
			pingMaxCount, netstack.MaxPingPayload, pingDefaultSize)
		return seq
	}
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i) // varied data, so that a reply with bytes moved or lost differs
	}

	who := netstack.FormatIPv4(dst)
	replies, differ := 0, 0
	for i := 0; i < count; i++ {
		if i > 0 {
			time.Sleep(pingInterval)
		}
		seq++
		rtt, err := s.Ping(dst, seq, payload, pingTimeout)
		ms := float64(rtt) / float64(time.Millisecond)
		switch {
		case err == nil:
			replies++
			fmt.Printf("ping %s: seq=%d reply, %d data bytes, payload matches (time=%.3f ms)\n", who, seq, size, ms)
		case errors.Is(err, netstack.ErrPayloadMismatch):
			replies++
			differ++
			fmt.Printf("ping %s: seq=%d reply, %d data bytes, payload DIFFERS (time=%.3f ms)\n", who, seq, size, ms)
		default:
			fmt.Printf("ping %s: seq=%d no reply: %v\n", who, seq, err)
		}
	}
	fmt.Printf("ping %s: requests %d, replies %d, payloads differ %d\n", who, count, replies, differ)
	return seq
}

// parsePingArgs reads the words after "ping": an address, then optionally a count and a size.
func parsePingArgs(args []string) (dst [4]byte, count, size int, ok bool) {
	if len(args) < 1 || len(args) > 3 {
		return dst, 0, 0, false
	}
	dst, err := netstack.ParseIPv4(args[0])
	if err != nil {
		return dst, 0, 0, false
	}
	count, size = 3, pingDefaultSize
	if len(args) > 1 {
		if count, err = strconv.Atoi(args[1]); err != nil || count < 1 || count > pingMaxCount {
			return dst, 0, 0, false
		}
	}
	if len(args) > 2 {
		if size, err = strconv.Atoi(args[2]); err != nil || size < 0 || size > netstack.MaxPingPayload {
			return dst, 0, 0, false
		}
	}
	return dst, count, size, true
}

func printCounters(s *netstack.Stack) {
	fmt.Println("net: counters:")
	for _, line := range s.Counters().Lines() {
		fmt.Println("  " + line)
	}
}

// hasWord reports whether the command line has the word w.
func hasWord(args []string, w string) bool {
	for _, a := range args {
		if a == w {
			return true
		}
	}
	return false
}
