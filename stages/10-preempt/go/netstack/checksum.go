package netstack

// The Internet checksum (RFC 1071), used by the IPv4 header and by ICMP: the ones' complement
// of the ones' complement sum of the data read as big-endian 16-bit words, an odd last byte
// taken as the high half of a word padded with zero.
//
// The sum is kept in 64 bits and folded at the end (RFC 1071 section 4.1 does the same with
// 32 bits): 64 bits cannot overflow for any datagram, whereas 32 bits would after 128 KiB.
// A receiver checks a message by summing it checksum field included: a correct message sums
// to 0xffff, whose complement is 0 (RFC 1071 section 1, step (3)).

// checksumSum adds b to a running sum.  b must start at an even offset of the checksummed
// data, which all callers here satisfy (headers are whole words; only the last piece of a
// message may be odd).
func checksumSum(sum uint64, b []byte) uint64 {
	for len(b) >= 8 {
		sum += uint64(b[0])<<8 | uint64(b[1])
		sum += uint64(b[2])<<8 | uint64(b[3])
		sum += uint64(b[4])<<8 | uint64(b[5])
		sum += uint64(b[6])<<8 | uint64(b[7])
		b = b[8:]
	}
	for len(b) >= 2 {
		sum += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint64(b[0]) << 8
	}
	return sum
}

// checksumFold folds the carries back in (end-around carry) and complements.
func checksumFold(sum uint64) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// checksum returns the Internet checksum of b: the value for the checksum field when it was
// zero while summing, or 0 when b, checksum included, is correct.
func checksum(b []byte) uint16 { return checksumFold(checksumSum(0, b)) }
