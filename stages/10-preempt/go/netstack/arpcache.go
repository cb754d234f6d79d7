package netstack

import "time"

// The neighbour cache: IPv4 address -> Ethernet address, learned from ARP (RFC 826's
// "translation table"), each entry valid for a while after it was last heard (RFC 1122
// section 2.3.2.1 requires entries to be flushed eventually, so a moved address is found
// again).  It also keeps the channels of senders waiting for an address to be resolved.
//
// Not safe for concurrent use: the Stack's lock guards it.  Time is passed in, so tests need no
// clock.

type arpEntry struct {
	mac     [6]byte
	expires time.Time
}

type arpCache struct {
	ttl     time.Duration
	size    int
	entries map[[4]byte]arpEntry
	waiters map[[4]byte]chan struct{} // closed when the address is learned
}

func newARPCache(ttl time.Duration, size int) *arpCache {
	return &arpCache{ttl: ttl, size: size, entries: map[[4]byte]arpEntry{}, waiters: map[[4]byte]chan struct{}{}}
}

// lookup returns the address of ip if an entry for it is still valid; an expired one is
// removed.
func (c *arpCache) lookup(ip [4]byte, now time.Time) ([6]byte, bool) {
	e, ok := c.entries[ip]
	if ok && now.Before(e.expires) {
		return e.mac, true
	}
	if ok {
		delete(c.entries, ip)
	}
	return zeroMAC, false
}

// entry returns ip's entry, valid or not: RFC 826 updates an existing entry from any packet
// ("merge_flag") but adds new ones only from packets addressed to us.
func (c *arpCache) entry(ip [4]byte) (arpEntry, bool) {
	e, ok := c.entries[ip]
	return e, ok
}

// update sets ip's address and restarts its time, making room first if the cache is full: the
// expired entries go, or else the one that would expire first.  It wakes the senders waiting
// for ip.
func (c *arpCache) update(ip [4]byte, mac [6]byte, now time.Time) {
	if _, ok := c.entries[ip]; !ok && len(c.entries) >= c.size {
		c.makeRoom(now)
	}
	c.entries[ip] = arpEntry{mac: mac, expires: now.Add(c.ttl)}
	if w, ok := c.waiters[ip]; ok {
		close(w)
		delete(c.waiters, ip)
	}
}

func (c *arpCache) makeRoom(now time.Time) {
	var oldest [4]byte
	var oldestExpiry time.Time
	for ip, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, ip)
			continue
		}
		if oldestExpiry.IsZero() || e.expires.Before(oldestExpiry) {
			oldest, oldestExpiry = ip, e.expires
		}
	}
	if len(c.entries) >= c.size {
		delete(c.entries, oldest)
	}
}

// waiter returns the channel closed when ip is next learned; all senders waiting for ip share
// it.
func (c *arpCache) waiter(ip [4]byte) <-chan struct{} {
	w, ok := c.waiters[ip]
	if !ok {
		w = make(chan struct{})
		c.waiters[ip] = w
	}
	return w
}

// dropWaiter forgets ip's channel after a resolution gave up, so addresses that never answer
// do not pile up.  Another sender still waiting on it finds the address at its next retry.
func (c *arpCache) dropWaiter(ip [4]byte) { delete(c.waiters, ip) }
