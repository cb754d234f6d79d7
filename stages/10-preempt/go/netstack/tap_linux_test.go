//go:build linux

package netstack

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestTapPing runs the stack on a Linux TAP device against Linux's own IPv4 stack: iputils'
// ping pings the stack (fragmented requests up to 64 KiB included) and the stack pings Linux.
// It changes the network configuration of wherever it runs, so it runs only when
// UNIGORNEL_TAP_TEST=1, which tests/go-netstack/tap-ping.sh sets, as root, inside a network
// namespace it makes for the test and deletes afterwards.

const (
	tapName     = "ugtap0"
	tapLinuxIP  = "10.98.0.1" // Linux's side of the TAP
	tapPrefix   = "/24"
	tunSetIff   = 0x400454ca // TUNSETIFF, _IOW('T', 202, int) (linux/if_tun.h)
	iffTap      = 0x0002     // IFF_TAP: Ethernet frames
	iffNoPI     = 0x1000     // IFF_NO_PI: no 4-byte packet information before each frame
	ifNameSize  = 16         // IFNAMSIZ
	ifreqLength = 40         // sizeof(struct ifreq) on 64-bit Linux
)

var (
	tapStackMAC = [6]byte{0x02, 0x00, 0x0a, 0x62, 0x00, 0x02} // locally administered
	tapStackIP  = [4]byte{10, 98, 0, 2}
)

// openTap makes the TAP device and returns it as an *os.File in non-blocking mode, so that
// Go's netpoller waits for it, as it waits for /dev/vif0 in the guest.
func openTap(t *testing.T, name string) *os.File {
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open /dev/net/tun: %v", err)
	}
	var ifr [ifreqLength]byte
	copy(ifr[:ifNameSize-1], name)
	*(*uint16)(unsafe.Pointer(&ifr[ifNameSize])) = iffTap | iffNoPI // ifr_flags, a native short
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIff, uintptr(unsafe.Pointer(&ifr[0]))); e != 0 {
		syscall.Close(fd)
		t.Fatalf("TUNSETIFF %s: %v", name, e)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "/dev/net/tun ("+name+")")
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var pingSummary = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`)

func TestTapPing(t *testing.T) {
	if os.Getenv("UNIGORNEL_TAP_TEST") != "1" {
		t.Skip("changes the host's network: run by tests/go-netstack/tap-ping.sh (as root, in a network namespace of its own), which sets UNIGORNEL_TAP_TEST=1")
	}
	pingPath := os.Getenv("UNIGORNEL_PING")
	if pingPath == "" {
		pingPath = "/usr/bin/ping"
	}

	tap := openTap(t, tapName)
	// No IPv6 on the link: Linux would send router solicitations and MLD reports, which the
	// stack would only count as dropped multicast.
	os.WriteFile("/proc/sys/net/ipv6/conf/"+tapName+"/disable_ipv6", []byte("1\n"), 0)
	run(t, "ip", "address", "add", tapLinuxIP+tapPrefix, "dev", tapName)
	run(t, "ip", "link", "set", tapName, "up")

	logged := 0
	s := New(tap, Config{MAC: tapStackMAC, IP: tapStackIP, MTU: 1500, Logf: func(format string, args ...any) {
		if logged++; logged <= 40 { // the flood's lines would bury the rest of the test's log
			t.Logf(format, args...)
		}
	}})
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	defer func() {
		s.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	if err := s.Announce(); err != nil {
		t.Fatalf("Announce: %v", err)
	}

	// The stack pings Linux first, so that it has to resolve Linux's address with its own ARP
	// request (once Linux has asked for ours, the stack knows Linux's from that request).
	// Then echo requests, fragmented too.
	linuxIP, _ := ParseIPv4(tapLinuxIP)
	for seq, size := range []int{56, 1473, 65507} {
		payload := pattern(size, byte(seq))
		rtt, err := s.Ping(linuxIP, uint16(seq+1), payload, 3*time.Second)
		if err != nil {
			t.Errorf("stack ping %s with %d data bytes: %v", tapLinuxIP, size, err)
			continue
		}
		t.Logf("stack ping %s seq=%d, %d data bytes: reply, payload matches, %v", tapLinuxIP, seq+1, size, rtt)
	}

	// Linux pings the stack: iputils' ping, five requests per size, judged by ping's own
	// summary.  1472 bytes of data is the largest unfragmented echo on a 1500-byte MTU, 1473
	// the smallest fragmented one; 65507 is the largest there is (45 fragments each way).
	answered := uint64(0)
	for _, size := range []int{0, 56, 1472, 1473, 8000, 65507} {
		out, err := exec.Command(pingPath, "-n", "-c", "5", "-i", "0.2", "-W", "3", "-s", fmt.Sprint(size), FormatIPv4(tapStackIP)).CombinedOutput()
		m := pingSummary.FindStringSubmatch(string(out))
		if err != nil || m == nil || m[1] != "5" || m[2] != "5" {
			t.Errorf("ping -s %d: %v\n%s", size, err, out)
			continue
		}
		answered += 5
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Logf("ping -c 5 -s %-5d %s: %s", size, FormatIPv4(tapStackIP), strings.Join(lines[len(lines)-2:], "; "))
	}

	// A flood: ping sends the next request as soon as a reply is in.  The stack's log lines
	// are queued (logger.go), so the flood does not wait for the log.
	out, err := exec.Command(pingPath, "-n", "-f", "-q", "-c", "2000", "-W", "3", FormatIPv4(tapStackIP)).CombinedOutput()
	if m := pingSummary.FindStringSubmatch(string(out)); err != nil || m == nil || m[1] != "2000" || m[2] != "2000" {
		t.Errorf("ping -f -c 2000: %v\n%s", err, out)
	} else {
		answered += 2000
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Logf("ping -f -c 2000 %s: %s", FormatIPv4(tapStackIP), strings.Join(lines[len(lines)-2:], "; "))
	}

	c := s.Counters()
	for _, line := range c.Lines() {
		t.Log(line)
	}
	if c.EchoRequestsAnswered != answered || c.EchoRepliesIn != 3 || c.ARPRequestsSent != 1 || c.ARPRepliesIn != 1 {
		t.Errorf("answered %d echo requests (ping saw %d), %d replies to our pings, %d ARP requests sent, %d replies",
			c.EchoRequestsAnswered, answered, c.EchoRepliesIn, c.ARPRequestsSent, c.ARPRepliesIn)
	}
	if c.TotalDropped() != 0 {
		t.Errorf("frames dropped on a link with only Linux on it: %v", c.Dropped)
	}
	if c.Unaccounted() != 0 {
		t.Errorf("%d frames unaccounted for", c.Unaccounted())
	}
}
