package netstack

import (
	"fmt"
	"sort"
)

// Counters is a snapshot of what the stack has done since New.  All counts are of frames or
// messages since the start, except FragmentsHeld, which is how many fragments wait for the
// rest of their datagram right now.
type Counters struct {
	FramesIn      uint64 // frames read from the device
	FramesOut     uint64 // frames written to it
	FramesHandled uint64 // frames read and acted on, that is not dropped
	WriteErrors   uint64 // frames the device refused

	ARPRequestsAnswered  uint64 // requests for our address, answered
	ARPRepliesIn         uint64 // replies addressed to us
	ARPRequestsSent      uint64 // our requests, resolving an address for Ping
	ARPAnnouncementsSent uint64 // gratuitous ARP (Announce)

	FragmentsIn          uint64 // IPv4 fragments addressed to us
	FragmentsHeld        uint64 // fragments now waiting for the rest of their datagram
	DatagramsReassembled uint64
	FragmentsOut         uint64 // fragments of our own datagrams
	DatagramsFragmented  uint64

	EchoRequestsAnswered  uint64
	EchoRequestsSent      uint64 // by Ping
	EchoRepliesIn         uint64 // replies that a Ping was waiting for
	DestUnreachableSent   uint64
	TimeExceededSent      uint64
	ICMPErrorsRateLimited uint64 // errors not sent because too many were sent just before

	// Dropped counts dropped frames by reason; reasons never seen are absent.
	Dropped map[DropReason]uint64
}

// TotalDropped adds up Dropped.
func (c Counters) TotalDropped() uint64 {
	var n uint64
	for _, v := range c.Dropped {
		n += v
	}
	return n
}

// Unaccounted is how many frames read are neither handled, nor dropped, nor held as
// fragments: 0 unless the stack lost track of one.
func (c Counters) Unaccounted() int64 {
	return int64(c.FramesIn) - int64(c.FramesHandled+c.TotalDropped()+c.FragmentsHeld)
}

// counterLines names every counter but Dropped for the console.
func (c Counters) counterLines() []struct {
	label string
	value uint64
} {
	return []struct {
		label string
		value uint64
	}{
		{"arp announcements sent", c.ARPAnnouncementsSent},
		{"arp replies received", c.ARPRepliesIn},
		{"arp requests answered", c.ARPRequestsAnswered},
		{"arp requests sent", c.ARPRequestsSent},
		{"ethernet frames handled", c.FramesHandled},
		{"ethernet frames in", c.FramesIn},
		{"ethernet frames out", c.FramesOut},
		{"ethernet write errors", c.WriteErrors},
		{"icmp destination unreachable sent", c.DestUnreachableSent},
		{"icmp echo replies received", c.EchoRepliesIn},
		{"icmp echo requests answered", c.EchoRequestsAnswered},
		{"icmp echo requests sent", c.EchoRequestsSent},
		{"icmp errors not sent (rate limit)", c.ICMPErrorsRateLimited},
		{"icmp time exceeded sent", c.TimeExceededSent},
		{"ipv4 datagrams fragmented", c.DatagramsFragmented},
		{"ipv4 datagrams reassembled", c.DatagramsReassembled},
		{"ipv4 fragments held", c.FragmentsHeld},
		{"ipv4 fragments in", c.FragmentsIn},
		{"ipv4 fragments out", c.FragmentsOut},
	}
}

const droppedPrefix = "dropped  "

// linesWidth is the width of the widest label any line can have, so that the values line up
// in the same column whichever reasons appear.
var linesWidth = func() int {
	w := 0
	for _, l := range (Counters{}).counterLines() {
		if len(l.label) > w {
			w = len(l.label)
		}
	}
	for _, r := range DropReasons() {
		if n := len(droppedPrefix) + len(r.String()); n > w {
			w = n
		}
	}
	return w
}()

// Lines returns one line per counter for the console, "label  value" with the values in one
// column, sorted by label: every counter always, and "dropped  <reason>" for each reason that
// dropped at least one frame, e.g. "dropped  ipv4: bad header checksum" followed by the count.
func (c Counters) Lines() []string {
	type line struct {
		label string
		value uint64
	}
	var all []line
	for _, l := range c.counterLines() {
		all = append(all, line{l.label, l.value})
	}
	for r, v := range c.Dropped {
		if v != 0 {
			all = append(all, line{droppedPrefix + r.String(), v})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].label < all[j].label })
	out := make([]string, len(all))
	for i, l := range all {
		out[i] = fmt.Sprintf("%-*s  %d", linesWidth, l.label, l.value)
	}
	return out
}

// counters is the stack's live copy, guarded by the Stack's lock.
type counters struct {
	Counters
	dropped [numDropReasons]uint64
}

func (c *counters) drop(r DropReason, frames int) { c.dropped[r] += uint64(frames) }

func (c *counters) snapshot(fragmentsHeld int) Counters {
	out := c.Counters
	out.FragmentsHeld = uint64(fragmentsHeld)
	out.Dropped = map[DropReason]uint64{}
	for r, v := range c.dropped {
		if v != 0 {
			out.Dropped[DropReason(r)] = v
		}
	}
	return out
}
