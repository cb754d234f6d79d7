package netstack

import "time"

// Config is what a Stack needs to know about its link and how much it may spend.  Zero fields
// take the defaults below.
type Config struct {
	MAC [6]byte // our Ethernet address
	IP  [4]byte // our IPv4 address; zero: the stack answers nothing and cannot ping
	MTU int     // the link's IP MTU: the largest IPv4 datagram in one frame (default 1500)

	// Logf receives one line per notable event (an echo request answered, a neighbour that
	// changed its address, an address conflict, the first write error), without a trailing
	// newline, from a goroutine of the stack's own (logger.go: a slow console never holds
	// up the frames).  nil: silent.
	Logf func(format string, args ...any)
	// LogDrops also logs the first drop of each reason.  Off by default: stray traffic (a
	// bridge's IPv6 multicast, say) arrives at any time, and a console transcript should not
	// depend on when.
	LogDrops bool

	// ReassemblyTimeout is how long the fragments of a datagram are kept waiting for the rest.
	// Linux waits 30 s (net.ipv4.ipfrag_time) and RFC 791 suggests 15 s; the default here is
	// a few seconds, so that a test that sends an incomplete set sees it expire without
	// waiting half a minute, while a whole 64 KiB ping still arrives well within it.
	ReassemblyTimeout time.Duration
	// MaxReassemblyBytes bounds the memory held by incomplete datagrams (fragment data plus a
	// fixed overhead per fragment, so that many tiny fragments cost too).  The default holds
	// three maximum-size datagrams at once; Linux's bound (ipfrag_high_thresh) is 4 MiB, far
	// too much for a 32 MiB guest.
	MaxReassemblyBytes int
	// MaxReassemblyDatagrams bounds how many datagrams are reassembled at once.
	MaxReassemblyDatagrams int

	// ARPCacheTimeout is how long a learned neighbour stays valid without being heard from:
	// Linux's base_reachable_time is 30 s (randomised to 15-45 s).
	ARPCacheTimeout time.Duration
	// ARPCacheSize bounds the neighbour cache; when full, the entry closest to expiry goes.
	ARPCacheSize int
	// ARPRetries and ARPRetryInterval: how many ARP requests resolving one address sends, and
	// how far apart.  Linux sends 3 (mcast_solicit) one second apart (retrans_time_ms).
	ARPRetries       int
	ARPRetryInterval time.Duration
}

// The defaults, and the bounds a configured MTU is held to: RFC 791 requires every host to
// take datagrams of 68 bytes in one piece, and 65535 is the largest datagram there is.
const (
	DefaultMTU                    = 1500
	DefaultReassemblyTimeout      = 3 * time.Second
	DefaultMaxReassemblyBytes     = 3 * (maxDatagram + 45*fragmentOverhead)
	DefaultMaxReassemblyDatagrams = 16
	DefaultARPCacheTimeout        = 30 * time.Second
	DefaultARPCacheSize           = 64
	DefaultARPRetries             = 3
	DefaultARPRetryInterval       = time.Second

	minMTU      = 68
	maxDatagram = 65535
)

// withDefaults returns cfg with every zero field set to its default and the MTU held within
// [68, 65535].
func (cfg Config) withDefaults() Config {
	if cfg.MTU == 0 {
		cfg.MTU = DefaultMTU
	}
	if cfg.MTU < minMTU {
		cfg.MTU = minMTU
	}
	if cfg.MTU > maxDatagram {
		cfg.MTU = maxDatagram
	}
	if cfg.ReassemblyTimeout <= 0 {
		cfg.ReassemblyTimeout = DefaultReassemblyTimeout
	}
	if cfg.MaxReassemblyBytes <= 0 {
		cfg.MaxReassemblyBytes = DefaultMaxReassemblyBytes
	}
	if cfg.MaxReassemblyDatagrams <= 0 {
		cfg.MaxReassemblyDatagrams = DefaultMaxReassemblyDatagrams
	}
	if cfg.ARPCacheTimeout <= 0 {
		cfg.ARPCacheTimeout = DefaultARPCacheTimeout
	}
	if cfg.ARPCacheSize <= 0 {
		cfg.ARPCacheSize = DefaultARPCacheSize
	}
	if cfg.ARPRetries <= 0 {
		cfg.ARPRetries = DefaultARPRetries
	}
	if cfg.ARPRetryInterval <= 0 {
		cfg.ARPRetryInterval = DefaultARPRetryInterval
	}
	return cfg
}
