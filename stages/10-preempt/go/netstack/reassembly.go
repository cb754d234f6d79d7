package netstack

import (
	"sort"
	"time"
)

// IPv4 fragment reassembly (RFC 791 section 3.2, "Fragmentation and Reassembly"; RFC 815).
//
// Fragments belong together when source, destination, identification and protocol agree
// (RFC 791).  Each datagram being reassembled keeps its fragments sorted by offset.  RFC 815
// tracks the holes between them; because overlapping fragments are refused here, the holes
// are exactly the gaps between neighbours, and the datagram is complete when the last
// fragment (MF clear) has fixed its length and the bytes held add up to that length.
//
// What is refused, and why:
//   - Overlapping fragments discard the whole datagram, every fragment held with it.  Linux
//     does so since 2018 ("ip: discard IPv4 datagrams with overlapping segments", Linux 4.19,
//     after FragmentSmack, CVE-2018-5391), the rule RFC 5722 made for IPv6: overlaps serve
//     only to slip different data past a filter.
//   - An exact duplicate of a held fragment is dropped alone and the datagram kept, as Linux
//     does since "net: ipv4: do not handle duplicate fragments as overlapping" (2019):
//     duplicates happen innocently when a link layer retransmits.
//   - A fragment that contradicts the datagram's length (a second last fragment ending
//     elsewhere, data beyond the last fragment's end), an empty one, or one that is not the
//     last but whose length is not a multiple of 8 (RFC 791: offsets count 8-byte units, so
//     every fragment but the last carries a multiple of 8) discards the datagram: since "ip:
//     fail fast on IP defrag errors" (2019) Linux drops the whole queue on any such error.
//     Linux trims a non-multiple of 8 instead of refusing it; it cannot happen without a
//     broken or hostile sender, and refusing is simpler.
//   - A datagram that would exceed 65535 bytes (ping of death) is discarded, as Linux's
//     ip_frag_reasm does ("Oversized IP packet").
//   - Beyond the memory bound (data plus fragmentOverhead per fragment) or the bound on
//     datagrams at once, new fragments are dropped and what is held stays: Linux also stops
//     taking fragments above ipfrag_high_thresh instead of evicting held ones.
//   - After the timeout an incomplete datagram is discarded (RFC 791's reassembly timer; RFC
//     1122 section 3.3.2), and the caller sends ICMP Time Exceeded if fragment zero was there.
//
// Not safe for concurrent use: the Stack's lock guards it.  Time is passed in.

// fragmentOverhead is what each held fragment is charged besides its data, so that 8-byte
// fragments cannot hold memory at 8 bytes each (Linux charges a whole socket buffer).
const fragmentOverhead = 64

// maxReassembledPayload: a datagram's payload behind a header of at least 20 bytes.
const maxReassembledPayload = maxDatagram - ipv4MinHeaderLen

// icmpQuoteLen: ICMP error messages quote the offending datagram's header and the first 64
// bits of its data (RFC 792).
const icmpQuoteLen = 8

type fragKey struct {
	src, dst [4]byte
	id       uint16
	protocol uint8
}

type fragPiece struct {
	offset, end int
	data        []byte
}

type partialDatagram struct {
	pieces   []fragPiece // sorted by offset, never overlapping
	received int         // data bytes held
	total    int         // the payload's length, known from the last fragment; -1 before
	maxEnd   int         // the highest end seen
	frames   int
	cost     int
	deadline time.Time

	// From fragment zero, once it is here: its header (the reassembled datagram's, RFC 791),
	// the quote for Time Exceeded, and the link address it came from.
	haveFirst   bool
	firstHeader ipv4Header
	firstBytes  []byte
	linkSrc     [6]byte
}

type reassembler struct {
	timeout      time.Duration
	maxBytes     int
	maxDatagrams int
	datagrams    map[fragKey]*partialDatagram
	bytes        int // cost of everything held
	frames       int // fragments held
}

func newReassembler(timeout time.Duration, maxBytes, maxDatagrams int) *reassembler {
	return &reassembler{timeout: timeout, maxBytes: maxBytes, maxDatagrams: maxDatagrams,
		datagrams: map[fragKey]*partialDatagram{}}
}

// fragOutcome is what one fragment did.
type fragOutcome struct {
	// reason, if not zero: dropped frames, this fragment and any discarded with it.
	reason  DropReason
	dropped int
	// started: this fragment began a new datagram (the caller arms its timeout).
	started bool
	// done: the datagram is complete.  header is fragment zero's with the whole length;
	// headerBytes are fragment zero's header bytes; frames counts its fragments.
	done        bool
	header      ipv4Header
	headerBytes []byte
	payload     []byte
	frames      int
}

// add takes one fragment: h and header describe it, payload is its data (cut to the total
// length), linkSrc is the Ethernet address it came from.  The data is copied.
func (r *reassembler) add(h ipv4Header, header, payload []byte, linkSrc [6]byte, now time.Time) fragOutcome {
	key := fragKey{src: h.src, dst: h.dst, id: h.id, protocol: h.protocol}
	d := r.datagrams[key]
	offset, end := h.fragOffset, h.fragOffset+len(payload)

	switch {
	case len(payload) == 0, h.mf && len(payload)%8 != 0:
		return r.discard(key, d, DropFragmentBad)
	case end > maxReassembledPayload:
		return r.discard(key, d, DropFragmentOversized)
	}

	cost := len(payload) + fragmentOverhead
	if d == nil {
		if len(r.datagrams) >= r.maxDatagrams {
			return fragOutcome{reason: DropFragmentTooMany, dropped: 1}
		}
	}
	if r.bytes+cost > r.maxBytes {
		return fragOutcome{reason: DropFragmentMemory, dropped: 1}
	}

	// What is known of the datagram's length, with or without a record of it yet.
	total, maxEnd := -1, 0
	if d != nil {
		total, maxEnd = d.total, d.maxEnd
	}
	if !h.mf && (end < maxEnd || (total >= 0 && end != total)) {
		return r.discard(key, d, DropFragmentBad)
	}
	if h.mf && total >= 0 && end > total {
		return r.discard(key, d, DropFragmentBad)
	}

	var out fragOutcome
	if d == nil {
		d = &partialDatagram{total: -1, deadline: now.Add(r.timeout)}
		r.datagrams[key] = d
		out.started = true
	}
	i := sort.Search(len(d.pieces), func(i int) bool { return d.pieces[i].offset >= offset })
	if i < len(d.pieces) && d.pieces[i].offset == offset && d.pieces[i].end == end {
		return fragOutcome{reason: DropFragmentDuplicate, dropped: 1}
	}
	if (i > 0 && d.pieces[i-1].end > offset) || (i < len(d.pieces) && d.pieces[i].offset < end) {
		return r.discard(key, d, DropFragmentOverlap)
	}

	piece := fragPiece{offset: offset, end: end, data: append([]byte(nil), payload...)}
	d.pieces = append(d.pieces, fragPiece{})
	copy(d.pieces[i+1:], d.pieces[i:])
	d.pieces[i] = piece
	d.received += len(payload)
	d.frames++
	d.cost += cost
	r.bytes += cost
	r.frames++
	if end > d.maxEnd {
		d.maxEnd = end
	}
	if !h.mf {
		d.total = end
	}
	if offset == 0 {
		d.haveFirst = true
		d.firstHeader = h
		quote := len(payload)
		if quote > icmpQuoteLen {
			quote = icmpQuoteLen
		}
		d.firstBytes = append(append([]byte(nil), header...), payload[:quote]...)
		d.linkSrc = linkSrc
	}

	if d.total < 0 || d.received != d.total {
		return out
	}
	// Complete: the pieces cover [0, total) without overlap.
	r.remove(key, d)
	if d.firstHeader.headerLen+d.total > maxDatagram {
		return fragOutcome{reason: DropFragmentOversized, dropped: d.frames} // this one included
	}
	data := make([]byte, d.total)
	for _, p := range d.pieces {
		copy(data[p.offset:], p.data)
	}
	out.done = true
	out.header = d.firstHeader
	out.header.totalLen = d.firstHeader.headerLen + d.total
	out.header.mf, out.header.fragOffset = false, 0
	out.headerBytes = d.firstBytes[:d.firstHeader.headerLen]
	out.payload = data
	out.frames = d.frames
	return out
}

// discard drops the fragment at hand together with the datagram d (if there is one).
func (r *reassembler) discard(key fragKey, d *partialDatagram, reason DropReason) fragOutcome {
	out := fragOutcome{reason: reason, dropped: 1}
	if d != nil {
		out.dropped += d.frames
		r.remove(key, d)
	}
	return out
}

func (r *reassembler) remove(key fragKey, d *partialDatagram) {
	delete(r.datagrams, key)
	r.bytes -= d.cost
	r.frames -= d.frames
}

// nextDeadline returns the earliest deadline of the datagrams held, if there are any.
func (r *reassembler) nextDeadline() (time.Time, bool) {
	var next time.Time
	for _, d := range r.datagrams {
		if next.IsZero() || d.deadline.Before(next) {
			next = d.deadline
		}
	}
	return next, !next.IsZero()
}

// expiredDatagram is an incomplete datagram whose time is up.
type expiredDatagram struct {
	frames int
	// From fragment zero, if it came: the quote for ICMP Time Exceeded and where to send it.
	haveFirst  bool
	firstBytes []byte
	src        [4]byte
	linkSrc    [6]byte
}

// expire removes and returns the datagrams whose deadline is not after now, oldest first.
func (r *reassembler) expire(now time.Time) []expiredDatagram {
	type aged struct {
		key fragKey
		d   *partialDatagram
	}
	var due []aged
	for key, d := range r.datagrams {
		if !now.Before(d.deadline) {
			due = append(due, aged{key, d})
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].d.deadline.Before(due[j].d.deadline) })
	out := make([]expiredDatagram, 0, len(due))
	for _, a := range due {
		r.remove(a.key, a.d)
		out = append(out, expiredDatagram{frames: a.d.frames, haveFirst: a.d.haveFirst,
			firstBytes: a.d.firstBytes, src: a.key.src, linkSrc: a.d.linkSrc})
	}
	return out
}
