package netstack

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The checker's malformed-frame corpus (checker/frame_corpus.py), fed to the stack: its drop
// counters must be exactly the corpus's expected counts, reason by reason.  The corpus is
// made at test time by the checker's own code, in the file format the test host sends from,
// so the Go side and the Python side agree by this test.

// corpusPeerMAC is any host MAC: the corpus takes it as a parameter.
var corpusPeerMAC = [6]byte{0x02, 0x00, 0x0a, 0x63, 0x00, 0x01}

// repoRoot is the kit's top directory, four levels up from stages/NN/go/netstack.
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("../../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "checker", "frame_corpus.py")); err != nil {
		t.Fatalf("checker/frame_corpus.py not found from %s: %v", root, err)
	}
	return root
}

// python is Debian's python3 (UNIGORNEL_PYTHON if set, as ctest sets it).
func python(t *testing.T) string {
	if p := os.Getenv("UNIGORNEL_PYTHON"); p != "" {
		return p
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 to make the checker's frame corpus with (set UNIGORNEL_PYTHON)")
	}
	return p
}

// readFrameFile splits [u16 big-endian length][frame]... into frames.
func readFrameFile(t *testing.T, data []byte) [][]byte {
	var frames [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			t.Fatal("frame file ends inside a length")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			t.Fatal("frame file ends inside a frame")
		}
		frames = append(frames, data[2:2+n])
		data = data[2+n:]
	}
	return frames
}

func TestFrameCorpusCounters(t *testing.T) {
	dir := t.TempDir()
	framesFile, countsFile := filepath.Join(dir, "malformed.frames"), filepath.Join(dir, "counts.json")
	cmd := exec.Command(python(t), filepath.Join(repoRoot(t), "checker", "frame_corpus.py"),
		"--write", framesFile, "--counts", countsFile,
		"--guest-mac", FormatMAC(ourMAC), "--guest-ip", FormatIPv4(ourIP),
		"--host-mac", FormatMAC(corpusPeerMAC), "--host-ip", FormatIPv4(peerIP))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	raw, err := os.ReadFile(framesFile)
	if err != nil {
		t.Fatal(err)
	}
	frames := readFrameFile(t, raw)
	var want map[string]uint64
	if data, err := os.ReadFile(countsFile); err != nil || json.Unmarshal(data, &want) != nil {
		t.Fatalf("counts: %v %s", err, data)
	}

	// The stack's clock is the test's: after the frames, the reassembly timeout passes and the
	// incomplete datagram expires, as it would a few seconds after dom0 sent it.
	s := New(newMemDev(), Config{MAC: ourMAC, IP: ourIP})
	now := time.Unix(1e9, 0)
	s.now = func() time.Time { return now }
	s.afterFunc = armNoTimer
	sent := feed(s, frames...)
	now = now.Add(DefaultReassemblyTimeout)
	sent = append(sent, s.expired().frames...)

	c := s.Counters()
	got := map[string]uint64{}
	for r, n := range c.Dropped {
		got[r.String()] = n
	}
	for reason, n := range want {
		if got[reason] != n {
			t.Errorf("%q: the stack counted %d, the corpus expects %d", reason, got[reason], n)
		}
	}
	for reason, n := range got {
		if _, ok := want[reason]; !ok {
			t.Errorf("%q: the stack counted %d, the corpus expects none", reason, n)
		}
	}
	if c.FramesIn != uint64(len(frames)) || c.TotalDropped() != uint64(len(frames)) || c.FragmentsHeld != 0 {
		t.Errorf("%d frames: %d in, %d dropped, %d held; every one must be dropped", len(frames), c.FramesIn, c.TotalDropped(), c.FragmentsHeld)
	}
	// The only answers: protocol unreachable for each unserved protocol, and time exceeded for
	// the expired datagram.
	if c.DestUnreachableSent != want["ipv4: protocol not served"] || c.TimeExceededSent != 1 || c.EchoRequestsAnswered != 0 ||
		c.ARPRequestsAnswered != 0 || uint64(len(sent)) != c.DestUnreachableSent+c.TimeExceededSent {
		t.Errorf("answers: %d frames, counters %+v", len(sent), c)
	}
	for _, f := range sent {
		if h, _, _ := parseEthernet(f); h.dst != corpusPeerMAC {
			t.Errorf("an answer went to %s, not to the sender", FormatMAC(h.dst))
		}
	}
	checkAccounted(t, s)
}
