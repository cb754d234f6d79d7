package netstack

// Why a frame was dropped: a fixed set, so that a test (and the checker, which sends
// malformed frames from dom0 and reads the guest's counters) can name the exact counter a bad
// frame must land in.  The text of each reason is part of the interface: the checker's frame
// corpus (checker/frame_corpus.py) spells the same strings, and a test
// (TestFrameCorpusCounters) proves the two agree.
//
// Every drop counts frames, also when a whole datagram made of several fragments is thrown
// away: each frame the stack reads ends up either acted on or counted under exactly one reason
// (Counters.Unaccounted is zero).

// DropReason names why the stack dropped a frame.
type DropReason uint8

// The drop reasons, grouped by the layer that decides.  Their order is only that of this list;
// Counters.Lines sorts by text.
const (
	_ DropReason = iota // zero: not dropped

	// Ethernet II (IEEE 802.3, RFC 894).
	DropEthernetTruncated   // shorter than the 14-byte header
	DropEthernetTooLong     // longer than 14 + MTU: the link cannot have carried it
	DropEthernetBadSource   // source with the group bit set, or our own address
	DropEthernetNotForUs    // unicast to another station (a bridge floods unknown unicast)
	DropEthernetMulticast   // group address other than broadcast (IPv4 and IPv6 multicast)
	DropEthernetUnknownType // an EtherType we do not serve (IPv6, VLAN tags, anything else)

	// ARP (RFC 826) for Ethernet and IPv4.
	DropARPTruncated      // shorter than its fields
	DropARPHardwareType   // hardware type not 1 (Ethernet)
	DropARPProtocolType   // protocol type not 0x0800 (IPv4)
	DropARPHardwareLength // hardware address length not 6
	DropARPProtocolLength // protocol address length not 4
	DropARPOperation      // neither request (1) nor reply (2)
	DropARPBadSender      // sender address a group, zero, broadcast, multicast or loopback one
	DropARPConflict       // someone else claims our IPv4 address
	DropARPNotForUs       // about other addresses and about no one we know

	// IPv4 (RFC 791, RFC 1122 section 3.2.1).
	DropIPv4Truncated        // shorter than 20 bytes or than its own header length
	DropIPv4Version          // version field not 4
	DropIPv4HeaderLength     // IHL below 5 (20 bytes)
	DropIPv4Checksum         // header checksum wrong
	DropIPv4TotalLengthShort // total length below the header length
	DropIPv4TotalLengthLong  // total length beyond the frame
	DropIPv4TTLZero          // time to live 0 on arrival
	DropIPv4BadSource        // source address broadcast, multicast, loopback or ours
	DropIPv4LinkBroadcast    // IPv4 in a link-layer broadcast frame
	DropIPv4GroupDestination // destination broadcast or multicast
	DropIPv4NotForUs         // destination another host (we do not forward)
	DropIPv4Protocol         // a protocol we do not serve (protocol unreachable is sent)

	// IPv4 fragment reassembly (RFC 791, RFC 815).
	DropFragmentOverlap   // fragments overlap: the whole datagram is discarded
	DropFragmentDuplicate // an exact copy of a fragment already held
	DropFragmentBad       // empty, not a multiple of 8 bytes, or disagreeing on the length
	DropFragmentOversized // the datagram would be longer than 65535 bytes
	DropFragmentTimeout   // the datagram was not complete in time
	DropFragmentMemory    // the memory for reassembly is used up
	DropFragmentTooMany   // too many datagrams are being reassembled at once

	// ICMP (RFC 792, RFC 1122 section 3.2.2).
	DropICMPTruncated       // shorter than the 8-byte header
	DropICMPChecksum        // checksum over the message wrong
	DropICMPType            // a type we do not serve
	DropICMPUnexpectedReply // an echo reply no Ping waits for (late, or not ours)

	numDropReasons
)

var dropReasonText = [numDropReasons]string{
	DropEthernetTruncated:   "ethernet: truncated header",
	DropEthernetTooLong:     "ethernet: frame longer than MTU",
	DropEthernetBadSource:   "ethernet: bad source address",
	DropEthernetNotForUs:    "ethernet: not for us",
	DropEthernetMulticast:   "ethernet: multicast",
	DropEthernetUnknownType: "ethernet: unknown EtherType",

	DropARPTruncated:      "arp: truncated",
	DropARPHardwareType:   "arp: wrong hardware type",
	DropARPProtocolType:   "arp: wrong protocol type",
	DropARPHardwareLength: "arp: wrong hardware length",
	DropARPProtocolLength: "arp: wrong protocol length",
	DropARPOperation:      "arp: unknown operation",
	DropARPBadSender:      "arp: bad sender address",
	DropARPConflict:       "arp: sender claims our address",
	DropARPNotForUs:       "arp: not for us",

	DropIPv4Truncated:        "ipv4: truncated header",
	DropIPv4Version:          "ipv4: version not 4",
	DropIPv4HeaderLength:     "ipv4: header length below 20",
	DropIPv4Checksum:         "ipv4: bad header checksum",
	DropIPv4TotalLengthShort: "ipv4: total length below header length",
	DropIPv4TotalLengthLong:  "ipv4: total length beyond frame",
	DropIPv4TTLZero:          "ipv4: TTL 0",
	DropIPv4BadSource:        "ipv4: bad source address",
	DropIPv4LinkBroadcast:    "ipv4: sent to link-layer broadcast",
	DropIPv4GroupDestination: "ipv4: broadcast or multicast destination",
	DropIPv4NotForUs:         "ipv4: not for us",
	DropIPv4Protocol:         "ipv4: protocol not served",

	DropFragmentOverlap:   "ipv4: overlapping fragments",
	DropFragmentDuplicate: "ipv4: duplicate fragment",
	DropFragmentBad:       "ipv4: bad fragment",
	DropFragmentOversized: "ipv4: reassembled datagram over 65535 bytes",
	DropFragmentTimeout:   "ipv4: reassembly timeout",
	DropFragmentMemory:    "ipv4: reassembly memory full",
	DropFragmentTooMany:   "ipv4: too many datagrams in reassembly",

	DropICMPTruncated:       "icmp: truncated",
	DropICMPChecksum:        "icmp: bad checksum",
	DropICMPType:            "icmp: type not served",
	DropICMPUnexpectedReply: "icmp: echo reply nobody waits for",
}

// String returns the reason's fixed text, e.g. "ipv4: bad header checksum".
func (r DropReason) String() string {
	if r == 0 || r >= numDropReasons {
		return "not dropped"
	}
	return dropReasonText[r]
}

// DropReasons returns every reason, in the order of their constants.
func DropReasons() []DropReason {
	all := make([]DropReason, 0, numDropReasons-1)
	for r := DropReason(1); r < numDropReasons; r++ {
		all = append(all, r)
	}
	return all
}
