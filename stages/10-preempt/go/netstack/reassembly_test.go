package netstack

import (
	"bytes"
	"math/rand"
	"testing"
	"time"
)

// frag describes one fragment of a peer's datagram; its data are datagramByte(key, position)
// so that any reassembled payload can be checked byte by byte.
type frag struct {
	key     uint8 // varies the identification (and the data)
	off, n  int   // offset and length in bytes
	mf      bool
	options []byte // IP options (fragment zero may carry some)
}

func datagramByte(key uint8, pos int) byte { return byte(pos*7) ^ key }

func (f frag) parts(t testing.TB) (ipv4Header, []byte, []byte) {
	data := make([]byte, f.n)
	for i := range data {
		data[i] = datagramByte(f.key, f.off+i)
	}
	flags := uint16(f.off / 8)
	if f.mf {
		flags |= 0x2000
	}
	raw := ipPacket{id: 0x100 + uint16(f.key), flags: flags, protocol: 1, src: peerIP, dst: ourIP, options: f.options, payload: data}.bytes()
	h, header, payload, r := parseIPv4(raw)
	if r != 0 || f.off%8 != 0 {
		t.Fatalf("test fragment %+v does not parse: %v", f, r)
	}
	return h, header, payload
}

// checkBooks verifies the reassembler's totals against its datagrams.
func checkBooks(t testing.TB, r *reassembler) {
	frames, cost := 0, 0
	for _, d := range r.datagrams {
		frames += d.frames
		cost += d.cost
		held := 0
		for i, p := range d.pieces {
			held += p.end - p.offset
			if i > 0 && d.pieces[i-1].end > p.offset {
				t.Fatalf("pieces overlap: %+v", d.pieces)
			}
		}
		if held != d.received {
			t.Fatalf("datagram holds %d bytes, says %d", held, d.received)
		}
	}
	if frames != r.frames || cost != r.bytes || r.bytes > r.maxBytes || len(r.datagrams) > r.maxDatagrams {
		t.Fatalf("books: %d frames / %d bytes held, totals say %d / %d (limit %d bytes, %d datagrams)",
			frames, cost, r.frames, r.bytes, r.maxBytes, len(r.datagrams))
	}
}

// splitDatagram returns the fragments of an n-byte payload in pieces of per bytes.
func splitDatagram(key uint8, n, per int) []frag {
	var fs []frag
	for off := 0; off < n; off += per {
		end := off + per
		if end > n {
			end = n
		}
		fs = append(fs, frag{key: key, off: off, n: end - off, mf: end < n})
	}
	return fs
}

func TestReassemblySequences(t *testing.T) {
	type step struct {
		f       frag
		reason  DropReason
		dropped int
		done    bool
	}
	ok := func(f frag) step { return step{f: f} }
	done := func(f frag) step { return step{f: f, done: true} }
	drop := func(f frag, r DropReason, n int) step { return step{f: f, reason: r, dropped: n} }
	tests := []struct {
		name  string
		steps []step
		held  int // fragments held at the end
	}{
		{"in order", []step{ok(frag{off: 0, n: 16, mf: true}), ok(frag{off: 16, n: 16, mf: true}), done(frag{off: 32, n: 5})}, 0},
		{"last first", []step{ok(frag{off: 32, n: 5}), ok(frag{off: 16, n: 16, mf: true}), done(frag{off: 0, n: 16, mf: true})}, 0},
		{"a hole stays open", []step{ok(frag{off: 0, n: 16, mf: true}), ok(frag{off: 32, n: 5})}, 2},
		{"overlap with the one before discards everything",
			[]step{ok(frag{off: 0, n: 16, mf: true}), drop(frag{off: 8, n: 16, mf: true}, DropFragmentOverlap, 2)}, 0},
		{"overlap with the one after",
			[]step{ok(frag{off: 16, n: 16, mf: true}), ok(frag{off: 40, n: 8, mf: true}), drop(frag{off: 8, n: 16, mf: true}, DropFragmentOverlap, 3)}, 0},
		{"covering a held one is an overlap",
			[]step{ok(frag{off: 16, n: 8, mf: true}), drop(frag{off: 8, n: 24, mf: true}, DropFragmentOverlap, 2)}, 0},
		{"same offset, other length is an overlap",
			[]step{ok(frag{off: 0, n: 16, mf: true}), drop(frag{off: 0, n: 8, mf: true}, DropFragmentOverlap, 2)}, 0},
		{"a duplicate is dropped alone",
			[]step{ok(frag{off: 0, n: 16, mf: true}), drop(frag{off: 0, n: 16, mf: true}, DropFragmentDuplicate, 1), done(frag{off: 16, n: 3})}, 0},
		{"a duplicate last fragment",
			[]step{ok(frag{off: 16, n: 3}), drop(frag{off: 16, n: 3}, DropFragmentDuplicate, 1), done(frag{off: 0, n: 16, mf: true})}, 0},
		{"an empty fragment discards the datagram",
			[]step{ok(frag{off: 0, n: 16, mf: true}), drop(frag{off: 16, n: 0, mf: true}, DropFragmentBad, 2)}, 0},
		{"an empty first fragment", []step{drop(frag{off: 8, n: 0}, DropFragmentBad, 1)}, 0},
		{"not a multiple of 8 with more to come",
			[]step{ok(frag{off: 0, n: 16, mf: true}), drop(frag{off: 16, n: 12, mf: true}, DropFragmentBad, 2)}, 0},
		{"two last fragments ending differently",
			[]step{ok(frag{off: 16, n: 4}), drop(frag{off: 24, n: 4}, DropFragmentBad, 2)}, 0},
		{"data beyond the last fragment's end",
			[]step{ok(frag{off: 16, n: 4}), drop(frag{off: 24, n: 8, mf: true}, DropFragmentBad, 2)}, 0},
		{"a last fragment ending before held data",
			[]step{ok(frag{off: 24, n: 8, mf: true}), drop(frag{off: 8, n: 4}, DropFragmentBad, 2)}, 0},
		{"past 65535 on arrival (ping of death)",
			[]step{ok(frag{off: 0, n: 8, mf: true}), drop(frag{off: 65512, n: 16}, DropFragmentOversized, 2)}, 0},
		{"the largest datagram there is", []step{ok(frag{off: 0, n: 32768, mf: true}), done(frag{off: 32768, n: 65515 - 32768})}, 0},
		{"past 65535 once fragment zero's options count",
			[]step{ok(frag{off: 32768, n: 65515 - 32768}), drop(frag{off: 0, n: 32768, mf: true, options: []byte{1, 1, 1, 0}}, DropFragmentOversized, 2)}, 0},
		{"the same key starts again after a discard",
			[]step{drop(frag{off: 0, n: 0}, DropFragmentBad, 1), ok(frag{off: 0, n: 8, mf: true}), done(frag{off: 8, n: 1})}, 0},
		{"datagrams with different keys do not mix",
			[]step{ok(frag{key: 1, off: 0, n: 8, mf: true}), ok(frag{key: 2, off: 8, n: 1}), done(frag{key: 1, off: 8, n: 1}), done(frag{key: 2, off: 0, n: 8, mf: true})}, 0},
	}
	for _, tt := range tests {
		r := newReassembler(time.Second, 1<<20, 4)
		now := time.Unix(1000, 0)
		for i, st := range tt.steps {
			h, header, payload := st.f.parts(t)
			out := r.add(h, header, payload, peerMAC, now)
			if out.reason != st.reason || out.dropped != st.dropped || out.done != st.done {
				t.Fatalf("%s: step %d %+v: got reason %v dropped %d done %v; want %v %d %v",
					tt.name, i, st.f, out.reason, out.dropped, out.done, st.reason, st.dropped, st.done)
			}
			checkBooks(t, r)
			if out.done {
				for j, b := range out.payload {
					if b != datagramByte(st.f.key, j) {
						t.Fatalf("%s: reassembled byte %d is %#x, want %#x", tt.name, j, b, datagramByte(st.f.key, j))
					}
				}
				if out.header.totalLen != out.header.headerLen+len(out.payload) || out.header.mf || out.header.fragOffset != 0 {
					t.Errorf("%s: reassembled header %+v", tt.name, out.header)
				}
			}
		}
		if r.frames != tt.held {
			t.Errorf("%s: %d fragments held at the end, want %d", tt.name, r.frames, tt.held)
		}
	}
}

// ping -s 65507 on a 1500-byte MTU: 65515 bytes of ICMP in 45 fragments of 1480, in any order.
func TestReassemblyOf45FragmentsInAnyOrder(t *testing.T) {
	fs := splitDatagram(3, 65515, 1480)
	if len(fs) != 45 {
		t.Fatalf("%d fragments, want 45", len(fs))
	}
	rng := rand.New(rand.NewSource(45))
	for round := 0; round < 20; round++ {
		rng.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		r := newReassembler(time.Second, DefaultMaxReassemblyBytes, DefaultMaxReassemblyDatagrams)
		for i, f := range fs {
			h, header, payload := f.parts(t)
			out := r.add(h, header, payload, peerMAC, time.Unix(0, 0))
			if out.reason != 0 || out.done != (i == len(fs)-1) || out.started != (i == 0) {
				t.Fatalf("round %d, fragment %d (%+v): %+v", round, i, f, out)
			}
			if out.done && (len(out.payload) != 65515 || out.frames != 45 || out.header.totalLen != 65535) {
				t.Fatalf("reassembled %d bytes from %d frames, total length %d", len(out.payload), out.frames, out.header.totalLen)
			}
		}
		if r.bytes != 0 || r.frames != 0 || len(r.datagrams) != 0 {
			t.Fatalf("after completion: %d bytes, %d frames, %d datagrams held", r.bytes, r.frames, len(r.datagrams))
		}
	}
}

func TestReassemblyLimits(t *testing.T) {
	now := time.Unix(0, 0)
	add := func(r *reassembler, f frag) fragOutcome {
		h, header, payload := f.parts(t)
		out := r.add(h, header, payload, peerMAC, now)
		checkBooks(t, r)
		return out
	}

	r := newReassembler(time.Second, 1<<20, 2)
	add(r, frag{key: 1, off: 0, n: 8, mf: true})
	add(r, frag{key: 2, off: 0, n: 8, mf: true})
	if out := add(r, frag{key: 3, off: 0, n: 8, mf: true}); out.reason != DropFragmentTooMany || out.dropped != 1 {
		t.Errorf("third datagram at a limit of two: %+v", out)
	}
	if out := add(r, frag{key: 1, off: 8, n: 1}); !out.done {
		t.Errorf("a held datagram still completes at the limit: %+v", out)
	}
	if out := add(r, frag{key: 3, off: 0, n: 8, mf: true}); out.reason != 0 {
		t.Errorf("room again after one completed: %+v", out)
	}

	r = newReassembler(time.Second, 2*(16+fragmentOverhead), 8)
	add(r, frag{key: 1, off: 0, n: 16, mf: true})
	add(r, frag{key: 2, off: 0, n: 16, mf: true})
	if out := add(r, frag{key: 1, off: 16, n: 1}); out.reason != DropFragmentMemory || out.dropped != 1 {
		t.Errorf("beyond the memory bound: %+v", out)
	}
	if r.frames != 2 {
		t.Errorf("what was held stays: %d fragments", r.frames)
	}
}

func TestReassemblyExpiry(t *testing.T) {
	t0 := time.Unix(100, 0)
	r := newReassembler(3*time.Second, 1<<20, 8)
	add := func(f frag, at time.Time) {
		h, header, payload := f.parts(t)
		r.add(h, header, payload, peerMAC, at)
	}
	add(frag{key: 1, off: 0, n: 16, mf: true}, t0)
	add(frag{key: 1, off: 32, n: 16, mf: true}, t0.Add(time.Second)) // later fragments do not extend the time
	add(frag{key: 2, off: 16, n: 8, mf: true}, t0.Add(time.Second))

	if got := r.expire(t0.Add(3*time.Second - time.Nanosecond)); len(got) != 0 {
		t.Fatalf("expired before the timeout: %+v", got)
	}
	got := r.expire(t0.Add(3 * time.Second))
	if len(got) != 1 || got[0].frames != 2 || !got[0].haveFirst || got[0].src != peerIP || got[0].linkSrc != peerMAC {
		t.Fatalf("at the timeout: %+v", got)
	}
	// The quote for ICMP time exceeded: fragment zero's header and its first 8 data bytes.
	h, header, payload := frag{key: 1, off: 0, n: 16, mf: true}.parts(t)
	_ = h
	if want := append(append([]byte{}, header...), payload[:8]...); !bytes.Equal(got[0].firstBytes, want) {
		t.Errorf("quote % x, want % x", got[0].firstBytes, want)
	}
	got = r.expire(t0.Add(4 * time.Second))
	if len(got) != 1 || got[0].frames != 1 || got[0].haveFirst {
		t.Fatalf("the datagram without fragment zero: %+v", got)
	}
	if r.frames != 0 || r.bytes != 0 {
		t.Errorf("left after expiry: %d frames, %d bytes", r.frames, r.bytes)
	}
}

// FuzzReassembly feeds a sequence of fragments decoded from the fuzzer's bytes, four per
// fragment, with time passing, and checks the books and every reassembled byte.
func FuzzReassembly(f *testing.F) {
	f.Add([]byte{0x04, 0, 0, 2, 0x00, 0, 2, 3})                                     // two fragments, complete
	f.Add([]byte{0x04, 0, 0, 2, 0x04, 0, 1, 2})                                     // overlap
	f.Add([]byte{0x04, 0, 0, 2, 0x04, 0, 0, 2, 0x00, 0, 2, 1})                      // duplicate, then complete
	f.Add([]byte{0x0c, 0, 0, 2, 0x08, 0, 9, 1})                                     // time passes
	f.Add([]byte{0x00, 0x1f, 0xff, 0xff, 0x15, 0, 0, 0xff, 0x11, 0x1f, 0xf0, 0x01}) // oversized
	f.Fuzz(func(t *testing.T, ops []byte) {
		r := newReassembler(2*time.Second, 4096, 3)
		now := time.Unix(0, 0)
		in, out := 0, 0 // fragments given, and fragments that left: dropped or delivered
		for len(ops) >= 4 {
			op := ops[:4]
			ops = ops[4:]
			if op[0]&0x08 != 0 {
				now = now.Add(time.Second)
				for _, e := range r.expire(now) {
					out += e.frames
				}
			}
			unit := 1
			if op[0]&0x10 != 0 {
				unit = 8 // longer fragments
			}
			fr := frag{key: op[0] & 3, off: int(uint16(op[1])<<8|uint16(op[2])) & 0x1fff * 8, n: int(op[3]) * unit, mf: op[0]&4 != 0}
			h, header, payload := fr.parts(t)
			got := r.add(h, header, payload, peerMAC, now)
			in++
			checkBooks(t, r)
			if got.reason != 0 {
				out += got.dropped
			}
			if got.done {
				out += got.frames
				if len(got.payload) > maxReassembledPayload {
					t.Fatalf("reassembled %d bytes", len(got.payload))
				}
				for j, b := range got.payload {
					if b != datagramByte(fr.key, j) {
						t.Fatalf("reassembled byte %d is %#x, want %#x", j, b, datagramByte(fr.key, j))
					}
				}
			}
			if in != out+r.frames {
				t.Fatalf("%d fragments in, %d out, %d held", in, out, r.frames)
			}
		}
	})
}
