package netstack

import "time"

// ICMP error messages are rate-limited (RFC 1812 section 4.3.2.8; RFC 1122 section 3.2.2
// leaves it to the host): a flood of datagrams for an unserved protocol must not become a
// flood of answers.  A token bucket, as Linux's icmp_global_allow (icmp_msgs_per_sec,
// icmp_msgs_burst): a burst of icmpErrorBurst errors, then icmpErrorsPerSecond.

const (
	icmpErrorBurst      = 10
	icmpErrorsPerSecond = 10
)

type tokenBucket struct {
	tokens float64
	last   time.Time
}

// allow takes a token if there is one, refilling for the time since the last call first.
func (b *tokenBucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = icmpErrorBurst
	} else if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens += elapsed.Seconds() * icmpErrorsPerSecond
		if b.tokens > icmpErrorBurst {
			b.tokens = icmpErrorBurst
		}
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
