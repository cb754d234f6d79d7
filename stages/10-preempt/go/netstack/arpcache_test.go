package netstack

import (
	"testing"
	"time"
)

func TestARPCacheExpiry(t *testing.T) {
	c := newARPCache(30*time.Second, 4)
	t0 := time.Unix(0, 0)
	c.update(peerIP, peerMAC, t0)
	if mac, ok := c.lookup(peerIP, t0.Add(30*time.Second-time.Nanosecond)); !ok || mac != peerMAC {
		t.Errorf("just before expiry: %v %v", mac, ok)
	}
	if _, ok := c.lookup(peerIP, t0.Add(30*time.Second)); ok {
		t.Error("valid at its expiry")
	}
	if _, ok := c.entry(peerIP); ok {
		t.Error("an expired entry found by lookup stays")
	}
	// Hearing from a neighbour again restarts its time.
	c.update(peerIP, peerMAC, t0)
	c.update(peerIP, peerMAC, t0.Add(20*time.Second))
	if _, ok := c.lookup(peerIP, t0.Add(40*time.Second)); !ok {
		t.Error("a refreshed entry expired on its first time")
	}
}

func TestARPCacheMakesRoomWhenFull(t *testing.T) {
	c := newARPCache(30*time.Second, 3)
	t0 := time.Unix(0, 0)
	ip := func(n byte) [4]byte { return [4]byte{10, 0, 0, n} }
	c.update(ip(1), peerMAC, t0.Add(2*time.Second))
	c.update(ip(2), peerMAC, t0) // expires first
	c.update(ip(3), peerMAC, t0.Add(time.Second))
	c.update(ip(4), peerMAC, t0.Add(3*time.Second))
	if len(c.entries) != 3 {
		t.Fatalf("%d entries, bound 3", len(c.entries))
	}
	if _, ok := c.entry(ip(2)); ok {
		t.Error("the entry closest to expiry should have gone")
	}
	// Expired entries go first, all of them.
	c.update(ip(5), peerMAC, t0.Add(32*time.Second+500*time.Millisecond))
	if len(c.entries) != 2 {
		t.Errorf("after expired entries were cleared: %d entries, want 2 (ip 4 and ip 5)", len(c.entries))
	}
	// Updating an entry that is there never evicts another.
	c.update(ip(5), ourMAC, t0.Add(33*time.Second))
	if len(c.entries) != 2 {
		t.Errorf("an update evicted: %d entries", len(c.entries))
	}
}

func TestARPCacheWakesWaiters(t *testing.T) {
	c := newARPCache(time.Minute, 4)
	w1, w2 := c.waiter(peerIP), c.waiter(peerIP)
	if w1 != w2 {
		t.Error("waiters for one address should share a channel")
	}
	other := c.waiter([4]byte{10, 0, 0, 9})
	c.update(peerIP, peerMAC, time.Unix(0, 0))
	select {
	case <-w1:
	default:
		t.Error("learning the address did not wake its waiters")
	}
	select {
	case <-other:
		t.Error("a waiter for another address woke")
	default:
	}
	c.dropWaiter([4]byte{10, 0, 0, 9})
	if len(c.waiters) != 0 {
		t.Errorf("%d waiters left", len(c.waiters))
	}
}
