// Package netstack is a network stack in Go: enough Ethernet, ARP, IPv4 and ICMP for a Go
// program in a Xen guest to answer ping and to ping, in plain Go on an io.ReadWriter of
// Ethernet frames.  In the guest that is /dev/vif0 (the kernel's netfront); on a Linux host it
// is a TAP device (IFF_TAP|IFF_NO_PI), which is how the tests run it against Linux's own
// stack and iputils' ping.
//
// The whole interface:
//
//	s := netstack.New(dev, netstack.Config{MAC: mac, IP: ip, MTU: 1500, Logf: log.Printf})
//	go s.Serve()                        // reads frames until dev.Read fails or Close
//	s.Announce()                        // gratuitous ARP (RFC 5227 announcement)
//	rtt, err := s.Ping(dst, seq, data, 3*time.Second)
//	for _, line := range s.Counters().Lines() { fmt.Println(line) }
//	s.Close()
//
// plus ConfigFromEnv (the guest's VIF0_MAC, VIF0_IP, VIF0_MTU and an ip= word), the address
// helpers ParseIPv4, ParseMAC, FormatIPv4, FormatMAC, and DropReason.
//
// What it does, file by file:
//
//	ethernet.go, receive_ethernet.go  Ethernet II: our address and broadcast; other unicast,
//	                                  multicast and unknown EtherTypes counted and dropped
//	arp.go, arpcache.go, receive_arp.go  ARP (RFC 826): requests for our address answered, a
//	                                  cache with expiry, resolution with retries (ping.go)
//	ipv4.go, receive_ipv4.go          IPv4 header checks (RFC 791, RFC 1122), options skipped,
//	                                  only our own address taken; protocol unreachable for
//	                                  everything but ICMP
//	reassembly.go                     fragment reassembly with bounds on memory, datagrams and
//	                                  time; overlapping fragments discard the datagram
//	fragment.go, send.go              our own datagrams fragmented to the MTU
//	icmp.go, receive_icmp.go          echo answered byte for byte, up to 65507 data bytes
//	checksum.go                       the Internet checksum (RFC 1071)
//	ratelimit.go                      ICMP errors rate-limited (a token bucket)
//	drops.go, counters.go             every dropped frame counted under a fixed reason
//	config.go, envconfig.go, addr.go  the Config and its defaults, the guest's environment,
//	                                  address text
//	stack.go, ping.go                 the Stack, Announce and Ping
//
// Robustness: malformed input never panics and never blocks; every frame read is either acted
// on or counted as dropped under exactly one DropReason (Counters.Unaccounted is zero), and
// every parser of outside input has a fuzz target.
//
// Not done: IP routing (every destination is taken as on the link), IPv6, UDP and TCP, IP
// options, path MTU discovery, VLAN tags.
package netstack
