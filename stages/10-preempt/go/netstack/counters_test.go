package netstack

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestDropReasonTextsAreFixedUniqueAndNamed(t *testing.T) {
	seen := map[string]DropReason{}
	layer := regexp.MustCompile(`^(ethernet|arp|ipv4|icmp): [A-Za-z0-9 ()-]+$`)
	for _, r := range DropReasons() {
		text := r.String()
		if !layer.MatchString(text) {
			t.Errorf("reason %d: %q is not 'layer: what'", r, text)
		}
		if other, dup := seen[text]; dup {
			t.Errorf("reasons %d and %d share the text %q", other, r, text)
		}
		seen[text] = r
	}
	if len(seen) != int(numDropReasons)-1 {
		t.Errorf("%d texts for %d reasons", len(seen), numDropReasons-1)
	}
	if DropReason(0).String() != "not dropped" || numDropReasons.String() != "not dropped" {
		t.Error("zero and out-of-range reasons must not look like real ones")
	}
}

func TestCountersLines(t *testing.T) {
	c := Counters{FramesIn: 12, FramesOut: 3, EchoRequestsAnswered: 2,
		Dropped: map[DropReason]uint64{DropIPv4Checksum: 3, DropEthernetUnknownType: 40, DropICMPType: 0}}
	lines := c.Lines()
	if !sort.StringsAreSorted(lines) {
		t.Errorf("lines not sorted:\n%s", strings.Join(lines, "\n"))
	}
	want := map[string]string{
		"ethernet frames in":                   "12",
		"ethernet frames out":                  "3",
		"icmp echo requests answered":          "2",
		"dropped  ipv4: bad header checksum":   "3",
		"dropped  ethernet: unknown EtherType": "40",
		"ipv4 fragments held":                  "0",
	}
	column := -1
	for _, line := range lines {
		m := regexp.MustCompile(`^(\S.*\S)  +(\d+)$`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %q is not 'label  value'", line)
		}
		if v, ok := want[m[1]]; ok && v != m[2] {
			t.Errorf("%s = %s, want %s", m[1], m[2], v)
		}
		delete(want, m[1])
		if strings.Contains(line, "icmp: type not served") {
			t.Errorf("a reason with no drops is listed: %q", line)
		}
		if at := strings.LastIndex(line, " ") + 1; column < 0 {
			column = at
		} else if at != column {
			t.Errorf("value of %q starts at column %d, others at %d", line, at, column)
		}
	}
	for label := range want {
		t.Errorf("no line for %q", label)
	}
	if n := len(Counters{}.Lines()); n != len(Counters{}.counterLines()) {
		t.Errorf("zero counters: %d lines, want one per counter (%d)", n, len(Counters{}.counterLines()))
	}
}

func TestCountersTotalsAndAccounting(t *testing.T) {
	c := Counters{FramesIn: 10, FramesHandled: 4, FragmentsHeld: 2,
		Dropped: map[DropReason]uint64{DropIPv4Checksum: 3, DropARPTruncated: 1}}
	if c.TotalDropped() != 4 || c.Unaccounted() != 0 {
		t.Errorf("total dropped %d, unaccounted %d", c.TotalDropped(), c.Unaccounted())
	}
	c.FramesIn++
	if c.Unaccounted() != 1 {
		t.Errorf("one frame more in: unaccounted %d", c.Unaccounted())
	}
}
