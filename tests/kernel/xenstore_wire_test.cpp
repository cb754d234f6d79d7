// kernel::xenbus::wire: xenstore's message format (xs_wire.h) -- encoding requests, and the
// demultiplexer that reassembles the reply stream and sorts watch events from replies.
#include "xenbus/xenstore_wire.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace {

using kernel::xenbus::wire::Demux;
using kernel::xenbus::wire::encode;
using kernel::xenbus::wire::kHeader;
using kernel::xenbus::wire::kPayloadMax;
using kernel::xenbus::wire::Part;

constexpr char kCanary = '#';

xsd_sockmsg header_of(const std::string& message) {
    xsd_sockmsg h{};
    memcpy(&h, message.data(), sizeof h);
    return h;
}

// encode() into a buffer of canaries; the result cut to the size encode() reported.
struct Encoded {
    size_t size = 0;
    std::string bytes;     // the whole buffer, canaries included
    std::string message() const { return bytes.substr(0, size); }
    std::string payload() const { return bytes.substr(kHeader, size - kHeader); }
};
Encoded run_encode(uint32_t type, uint32_t req_id, uint32_t tx_id, std::vector<Part> parts,
                   size_t capacity = kHeader + kPayloadMax) {
    Encoded e;
    e.bytes.assign(capacity + 16, kCanary);
    e.size = encode(type, req_id, tx_id, parts.data(), parts.size(), e.bytes.data(), capacity);
    return e;
}

// A message as xenstored sends it.
std::string message(uint32_t type, uint32_t req_id, const std::string& payload, uint32_t tx_id = 0) {
    xsd_sockmsg h{type, req_id, tx_id, static_cast<uint32_t>(payload.size())};
    return std::string(reinterpret_cast<const char*>(&h), sizeof h) + payload;
}
std::string watch_event(const std::string& path, const std::string& token) {
    return message(XS_WATCH_EVENT, 0, path + std::string(1, '\0') + token + std::string(1, '\0'));
}

// Feeds `stream` in pieces of `chunk` bytes; false if any feed() did.
bool feed_in_chunks(Demux& d, const std::string& stream, size_t chunk) {
    for (size_t at = 0; at < stream.size(); at += chunk)
        if (!d.feed(stream.data() + at, std::min(chunk, stream.size() - at))) return false;
    return true;
}

struct Watch {
    std::string path, token;
    bool operator==(const Watch&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Watch& w) { return os << "{" << w.path << ", " << w.token << "}"; }
std::vector<Watch> pop_all(Demux& d) {
    std::vector<Watch> out;
    char path[Demux::kPathMax], token[64];
    while (d.pop_watch(path, sizeof path, token, sizeof token)) out.push_back({path, token});
    return out;
}

// --- encode ---------------------------------------------------------------------------

TEST(XenstoreEncode, ReadIsThePathAndItsNul) {
    Encoded e = run_encode(XS_READ, 7, 0, {{"device/vif/0/mac", true}});
    ASSERT_EQ(e.size, kHeader + 17);
    xsd_sockmsg h = header_of(e.message());
    EXPECT_EQ(h.type, uint32_t{XS_READ});
    EXPECT_EQ(h.req_id, 7u);
    EXPECT_EQ(h.tx_id, 0u);
    EXPECT_EQ(h.len, 17u);
    EXPECT_EQ(e.payload(), std::string("device/vif/0/mac\0", 17));
    EXPECT_EQ(e.bytes[e.size], kCanary);  // nothing written past the message
}

TEST(XenstoreEncode, HeaderIsXsdSockmsgInItsOwnLayout) {
    EXPECT_EQ(kHeader, 16u);
    Encoded e = run_encode(XS_WRITE, 0x01020304, 0x0a0b0c0d, {{"p", true}, {"v", false}});
    xsd_sockmsg h = header_of(e.message());
    EXPECT_EQ(h.type, uint32_t{XS_WRITE});
    EXPECT_EQ(h.req_id, 0x01020304u);
    EXPECT_EQ(h.tx_id, 0x0a0b0c0du);
    EXPECT_EQ(h.len, 3u);
}

TEST(XenstoreEncode, WriteValueHasNoNul) {
    Encoded e = run_encode(XS_WRITE, 3, 12, {{"device/vif/0/state", true}, {"4", false}});
    ASSERT_EQ(e.size, kHeader + 20);
    EXPECT_EQ(header_of(e.message()).len, 20u);
    EXPECT_EQ(header_of(e.message()).tx_id, 12u);
    EXPECT_EQ(e.payload(), std::string("device/vif/0/state\0" "4", 20));
    EXPECT_EQ(e.bytes[e.size], kCanary);
}

TEST(XenstoreEncode, WriteOfAnEmptyValueIsJustThePath) {
    Encoded e = run_encode(XS_WRITE, 1, 0, {{"a/b", true}, {"", false}});
    EXPECT_EQ(e.payload(), std::string("a/b\0", 4));
}

TEST(XenstoreEncode, WatchIsPathNulTokenNul) {
    Encoded e = run_encode(XS_WATCH, 9, 0, {{"/local/domain/0/backend/vif/5/0/state", true}, {"backend-state", true}});
    std::string want = std::string("/local/domain/0/backend/vif/5/0/state") + '\0' + "backend-state" + '\0';
    EXPECT_EQ(header_of(e.message()).type, uint32_t{XS_WATCH});
    EXPECT_EQ(header_of(e.message()).len, want.size());
    EXPECT_EQ(e.payload(), want);
}

TEST(XenstoreEncode, TransactionStartAndEnd) {
    Encoded start = run_encode(XS_TRANSACTION_START, 4, 0, {{"", true}});
    EXPECT_EQ(header_of(start.message()).type, uint32_t{XS_TRANSACTION_START});
    EXPECT_EQ(header_of(start.message()).len, 1u);
    EXPECT_EQ(start.payload(), std::string(1, '\0'));

    Encoded commit = run_encode(XS_TRANSACTION_END, 5, 77, {{"T", true}});
    EXPECT_EQ(header_of(commit.message()).type, uint32_t{XS_TRANSACTION_END});
    EXPECT_EQ(header_of(commit.message()).tx_id, 77u);
    EXPECT_EQ(commit.payload(), std::string("T\0", 2));
    Encoded abort = run_encode(XS_TRANSACTION_END, 6, 77, {{"F", true}});
    EXPECT_EQ(abort.payload(), std::string("F\0", 2));
}

TEST(XenstoreEncode, APayloadOfExactlyTheMaximumFits) {
    std::string path(kPayloadMax - 1, 'p');
    Encoded e = run_encode(XS_READ, 1, 0, {{path.c_str(), true}});
    EXPECT_EQ(e.size, kHeader + kPayloadMax);
    EXPECT_EQ(header_of(e.message()).len, uint32_t(kPayloadMax));
}

TEST(XenstoreEncode, APayloadOverTheMaximumIsRefusedAndNothingIsWritten) {
    std::string path(kPayloadMax, 'p');  // + its NUL: one byte too many
    Encoded e = run_encode(XS_READ, 1, 0, {{path.c_str(), true}}, kHeader + kPayloadMax + 64);
    EXPECT_EQ(e.size, 0u);
    EXPECT_EQ(e.bytes, std::string(e.bytes.size(), kCanary));

    std::string half(kPayloadMax / 2, 'v');  // the parts add up past the maximum
    Encoded w = run_encode(XS_WRITE, 1, 0, {{half.c_str(), true}, {half.c_str(), false}}, kHeader + kPayloadMax + 64);
    EXPECT_EQ(w.size, 0u);
}

TEST(XenstoreEncode, AMessageLargerThanTheBufferIsRefusedAndNothingIsWritten) {
    Encoded tight = run_encode(XS_READ, 1, 0, {{"abc", true}}, kHeader + 4);
    EXPECT_EQ(tight.size, kHeader + 4);
    Encoded short_by_one = run_encode(XS_READ, 1, 0, {{"abc", true}}, kHeader + 3);
    EXPECT_EQ(short_by_one.size, 0u);
    EXPECT_EQ(short_by_one.bytes, std::string(short_by_one.bytes.size(), kCanary));
    Encoded no_room = run_encode(XS_READ, 1, 0, {{"abc", true}}, 0);
    EXPECT_EQ(no_room.size, 0u);
}

// The encoder's output is what the demultiplexer takes apart (the same format both ways).
TEST(XenstoreEncode, RoundTripsThroughTheDemux) {
    Encoded e = run_encode(XS_READ, 42, 3, {{"x/y", true}});
    Demux d;
    d.expect(42);
    ASSERT_TRUE(d.feed(e.bytes.data(), e.size));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_type(), uint32_t{XS_READ});
    EXPECT_EQ(std::string(d.reply_payload(), d.reply_length()), std::string("x/y\0", 4));
}

// --- Demux ----------------------------------------------------------------------------

TEST(XenstoreDemux, AReplyInOnePiece) {
    Demux d;
    d.expect(5);
    EXPECT_FALSE(d.reply_ready());
    std::string m = message(XS_READ, 5, "00:16:3e:63:00:02");
    ASSERT_TRUE(d.feed(m.data(), m.size()));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_type(), uint32_t{XS_READ});
    EXPECT_EQ(d.reply_length(), 17u);
    EXPECT_STREQ(d.reply_payload(), "00:16:3e:63:00:02");  // NUL added after the len bytes
    EXPECT_EQ(d.strays(), 0u);
    EXPECT_EQ(d.watches_queued(), 0u);
}

TEST(XenstoreDemux, AReplyFedByteByByteIsReadyOnlyAtItsLastByte) {
    Demux d;
    d.expect(8);
    std::string m = message(XS_WRITE, 8, std::string("OK\0", 3));
    for (size_t i = 0; i < m.size(); ++i) {
        EXPECT_FALSE(d.reply_ready()) << "after " << i << " bytes";
        ASSERT_TRUE(d.feed(&m[i], 1));
    }
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(std::string(d.reply_payload(), d.reply_length()), std::string("OK\0", 3));
}

TEST(XenstoreDemux, AReplySplitAtAnyPointIncludingInsideTheHeader) {
    std::string m = message(XS_READ, 11, "/local/domain/0/backend/vif/5/0");
    for (size_t split = 1; split < m.size(); ++split) {
        Demux d;
        d.expect(11);
        ASSERT_TRUE(d.feed(m.data(), split));
        EXPECT_FALSE(d.reply_ready()) << "split " << split;
        ASSERT_TRUE(d.feed(m.data() + split, m.size() - split));
        ASSERT_TRUE(d.reply_ready()) << "split " << split;
        EXPECT_STREQ(d.reply_payload(), "/local/domain/0/backend/vif/5/0") << "split " << split;
    }
}

TEST(XenstoreDemux, AnEmptyFeedChangesNothing) {
    Demux d;
    d.expect(1);
    EXPECT_TRUE(d.feed("", 0));
    EXPECT_FALSE(d.reply_ready());
}

// Watch events come whenever a watched node changes: before, after, and between replies,
// and the byte stream may be cut anywhere.
TEST(XenstoreDemux, WatchEventsAroundAndBetweenRepliesAreQueuedInOrder) {
    std::string stream = watch_event("backend/state", "backend-state") +      // before anything
                         message(XS_READ, 2, "stale") +                         // a reply we gave up on
                         watch_event("device/vif/0/state", "front") +          // between two replies
                         message(XS_READ, 3, "4") +                             // the awaited reply
                         watch_event("backend/state", "backend-state");        // after it
    for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        Demux d;
        d.expect(3);
        ASSERT_TRUE(feed_in_chunks(d, stream, chunk)) << "chunk " << chunk;
        ASSERT_TRUE(d.reply_ready()) << "chunk " << chunk;
        EXPECT_EQ(d.reply_type(), uint32_t{XS_READ});
        EXPECT_STREQ(d.reply_payload(), "4");
        EXPECT_EQ(d.strays(), 1u) << "chunk " << chunk;
        EXPECT_EQ(d.watches_queued(), 3u);
        EXPECT_EQ(pop_all(d), (std::vector<Watch>{{"backend/state", "backend-state"},
                                                   {"device/vif/0/state", "front"},
                                                   {"backend/state", "backend-state"}}))
            << "chunk " << chunk;
        EXPECT_EQ(d.watches_queued(), 0u);
    }
}

// xenstored writes whole messages, so a watch event never lands inside a reply's bytes; but
// the ring hands them over in whatever pieces were there: a reply's header split from its
// payload, the payload's end in the same piece as the start of the next watch event.
TEST(XenstoreDemux, WatchEventsBeforeAndAfterAReplyFedInHalves) {
    std::string reply = message(XS_DIRECTORY, 9, std::string("mac\0mtu\0", 8));
    std::string before = watch_event("a", "t1"), after = watch_event("b", "t2");
    Demux d;
    d.expect(9);
    ASSERT_TRUE(d.feed(before.data(), before.size()));
    EXPECT_EQ(d.watches_queued(), 1u);
    ASSERT_TRUE(d.feed(reply.data(), 10));  // header split
    EXPECT_FALSE(d.reply_ready());
    std::string rest = reply.substr(10) + after.substr(0, 5);
    ASSERT_TRUE(d.feed(rest.data(), rest.size()));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_length(), 8u);
    EXPECT_EQ(std::string(d.reply_payload(), 8), std::string("mac\0mtu\0", 8));
    EXPECT_EQ(d.watches_queued(), 1u);  // the second event is not complete yet
    ASSERT_TRUE(d.feed(after.data() + 5, after.size() - 5));
    EXPECT_EQ(pop_all(d), (std::vector<Watch>{{"a", "t1"}, {"b", "t2"}}));
    // The reply is still there after the watch traffic.
    EXPECT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_length(), 8u);
}

TEST(XenstoreDemux, RepliesToOtherRequestsAreCountedAsStrays) {
    Demux d;
    d.expect(5);
    std::string old1 = message(XS_READ, 3, "x"), old2 = message(XS_ERROR, 4, std::string("EAGAIN\0", 7));
    ASSERT_TRUE(d.feed(old1.data(), old1.size()));
    ASSERT_TRUE(d.feed(old2.data(), old2.size()));
    EXPECT_FALSE(d.reply_ready());
    EXPECT_EQ(d.strays(), 2u);
    std::string ours = message(XS_READ, 5, "y");
    ASSERT_TRUE(d.feed(ours.data(), ours.size()));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_STREQ(d.reply_payload(), "y");
    EXPECT_EQ(d.strays(), 2u);
}

TEST(XenstoreDemux, ASecondReplyWithTheSameIdDoesNotOverwriteTheFirst) {
    Demux d;
    d.expect(5);
    std::string first = message(XS_READ, 5, "first"), second = message(XS_READ, 5, "second");
    ASSERT_TRUE(d.feed(first.data(), first.size()));
    ASSERT_TRUE(d.feed(second.data(), second.size()));
    EXPECT_STREQ(d.reply_payload(), "first");
    EXPECT_EQ(d.strays(), 1u);
}

TEST(XenstoreDemux, ExpectClearsThePreviousReply) {
    Demux d;
    d.expect(1);
    std::string r1 = message(XS_READ, 1, "one");
    ASSERT_TRUE(d.feed(r1.data(), r1.size()));
    ASSERT_TRUE(d.reply_ready());
    d.expect(2);
    EXPECT_FALSE(d.reply_ready());
    EXPECT_EQ(d.reply_length(), 0u);
    std::string late = message(XS_READ, 1, "one again");  // the old id is a stray now
    ASSERT_TRUE(d.feed(late.data(), late.size()));
    EXPECT_FALSE(d.reply_ready());
    EXPECT_EQ(d.strays(), 1u);
    std::string r2 = message(XS_WRITE, 2, std::string("OK\0", 3));
    ASSERT_TRUE(d.feed(r2.data(), r2.size()));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_type(), uint32_t{XS_WRITE});
}

TEST(XenstoreDemux, AnErrorReplyKeepsItsTypeAndName) {
    Demux d;
    d.expect(6);
    std::string m = message(XS_ERROR, 6, std::string("ENOENT\0", 7));
    ASSERT_TRUE(d.feed(m.data(), m.size()));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_type(), uint32_t{XS_ERROR});
    EXPECT_STREQ(d.reply_payload(), "ENOENT");
}

TEST(XenstoreDemux, AWatchEventIsNeverTakenForTheReplyWhateverItsReqId) {
    Demux d;
    d.expect(0);  // the id watch events carry
    std::string w = watch_event("p", "t");
    ASSERT_TRUE(d.feed(w.data(), w.size()));
    EXPECT_FALSE(d.reply_ready());
    EXPECT_EQ(d.watches_queued(), 1u);
    EXPECT_EQ(d.strays(), 0u);
}

TEST(XenstoreDemux, AZeroLengthReplyIsComplete) {
    Demux d;
    d.expect(4);
    std::string m = message(XS_WATCH, 4, "");  // header only
    ASSERT_EQ(m.size(), kHeader);
    for (size_t split = 0; split <= m.size(); ++split) {
        d.expect(4);
        ASSERT_TRUE(d.feed(m.data(), split));
        ASSERT_TRUE(d.feed(m.data() + split, m.size() - split));
        ASSERT_TRUE(d.reply_ready()) << "split " << split;
        EXPECT_EQ(d.reply_length(), 0u);
        EXPECT_STREQ(d.reply_payload(), "");
    }
}

TEST(XenstoreDemux, AZeroLengthMessageDoesNotSwallowTheNextOne) {
    Demux d;
    d.expect(2);
    std::string stream = message(XS_WATCH, 1, "") + message(XS_READ, 2, "value");
    ASSERT_TRUE(d.feed(stream.data(), stream.size()));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_STREQ(d.reply_payload(), "value");
    EXPECT_EQ(d.strays(), 1u);
}

TEST(XenstoreDemux, AZeroLengthWatchEventIsQueuedWithEmptyPathAndToken) {
    Demux d;
    std::string m = message(XS_WATCH_EVENT, 0, "");
    ASSERT_TRUE(d.feed(m.data(), m.size()));
    EXPECT_EQ(pop_all(d), (std::vector<Watch>{{"", ""}}));
}

TEST(XenstoreDemux, AWatchEventWithoutNulsIsAPathWithAnEmptyToken) {
    Demux d;
    std::string m = message(XS_WATCH_EVENT, 0, "no/nul/here");
    ASSERT_TRUE(d.feed(m.data(), m.size()));
    EXPECT_EQ(pop_all(d), (std::vector<Watch>{{"no/nul/here", ""}}));
    std::string only_path = message(XS_WATCH_EVENT, 0, std::string("path\0", 5));
    ASSERT_TRUE(d.feed(only_path.data(), only_path.size()));
    EXPECT_EQ(pop_all(d), (std::vector<Watch>{{"path", ""}}));
}

TEST(XenstoreDemux, APayloadOfExactlyTheMaximumIsAccepted) {
    Demux d;
    d.expect(1);
    std::string payload(kPayloadMax, 'z');
    std::string m = message(XS_READ, 1, payload);
    ASSERT_TRUE(feed_in_chunks(d, m, 1000));
    ASSERT_TRUE(d.reply_ready());
    EXPECT_EQ(d.reply_length(), kPayloadMax);
    EXPECT_EQ(std::string(d.reply_payload()), payload);
}

TEST(XenstoreDemux, ALengthOverTheMaximumIsAProtocolError) {
    xsd_sockmsg h{XS_READ, 1, 0, static_cast<uint32_t>(kPayloadMax + 1)};
    const char* bytes = reinterpret_cast<const char*>(&h);
    {
        Demux d;
        d.expect(1);
        EXPECT_FALSE(d.feed(bytes, sizeof h));
        EXPECT_FALSE(d.reply_ready());
    }
    {
        // Split header: the error shows on the feed that completes it.
        Demux d;
        d.expect(1);
        EXPECT_TRUE(d.feed(bytes, 9));
        EXPECT_FALSE(d.feed(bytes + 9, sizeof h - 9));
    }
    {
        // Behind a good message in the same feed: that one is still delivered.
        Demux d;
        d.expect(2);
        std::string stream = message(XS_READ, 2, "ok") + std::string(bytes, sizeof h);
        EXPECT_FALSE(d.feed(stream.data(), stream.size()));
        EXPECT_TRUE(d.reply_ready());
        EXPECT_STREQ(d.reply_payload(), "ok");
    }
    {
        // The stream cannot be resynchronised: the next feed fails as well.
        Demux d;
        h.len = 0xffffffff;
        EXPECT_FALSE(d.feed(bytes, sizeof h));
        std::string good = message(XS_READ, 1, "x");
        EXPECT_FALSE(d.feed(good.data(), good.size()));
    }
}

TEST(XenstoreDemux, WatchEventsBeyondTheQueueAreDroppedAndCounted) {
    Demux d;
    std::string stream;
    for (size_t i = 0; i < Demux::kWatchQueue + 3; ++i) stream += watch_event("node/" + std::to_string(i), "tok");
    ASSERT_TRUE(d.feed(stream.data(), stream.size()));
    EXPECT_EQ(d.watches_queued(), Demux::kWatchQueue);
    EXPECT_EQ(d.watches_dropped(), 3u);
    std::vector<Watch> got = pop_all(d);
    ASSERT_EQ(got.size(), Demux::kWatchQueue);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], (Watch{"node/" + std::to_string(i), "tok"}));  // the oldest kept
    char path[8], token[8];
    EXPECT_FALSE(d.pop_watch(path, sizeof path, token, sizeof token));
    EXPECT_EQ(d.watches_dropped(), 3u);
}

TEST(XenstoreDemux, TheWatchQueueWrapsAroundWithoutLosingOrder) {
    Demux d;
    char path[Demux::kPathMax], token[32];
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 50; ++round) {
        for (int k = 0; k < 5; ++k) {  // 5 in, 3 out per round: the queue fills up and wraps
            if (d.watches_queued() == Demux::kWatchQueue) break;
            std::string w = watch_event("n" + std::to_string(next_in++), "t");
            ASSERT_TRUE(d.feed(w.data(), w.size()));
        }
        for (int k = 0; k < 3 && d.pop_watch(path, sizeof path, token, sizeof token); ++k)
            EXPECT_EQ(std::string(path), "n" + std::to_string(next_out++));
    }
    while (d.pop_watch(path, sizeof path, token, sizeof token)) EXPECT_EQ(std::string(path), "n" + std::to_string(next_out++));
    EXPECT_EQ(next_out, next_in);
    EXPECT_EQ(d.watches_dropped(), 0u);
}

TEST(XenstoreDemux, LongPathsAndTokensAreCutAndAlwaysTerminated) {
    Demux d;
    std::string long_path(Demux::kPathMax + 50, 'p'), long_token(100, 't');
    std::string w = watch_event(long_path, long_token);
    ASSERT_TRUE(d.feed(w.data(), w.size()));
    char path[Demux::kPathMax + 64], token[128];
    ASSERT_TRUE(d.pop_watch(path, sizeof path, token, sizeof token));
    EXPECT_EQ(std::string(path), long_path.substr(0, Demux::kPathMax - 1));
    EXPECT_EQ(std::string(token), long_token.substr(0, 31));

    // A caller's small buffers: cut again, never overrun.
    w = watch_event("backend/state", "backend-state");
    ASSERT_TRUE(d.feed(w.data(), w.size()));
    char small_path[6 + 1], small_token[4 + 1];
    memset(small_path, kCanary, sizeof small_path);
    memset(small_token, kCanary, sizeof small_token);
    ASSERT_TRUE(d.pop_watch(small_path, 6, small_token, 4));
    EXPECT_STREQ(small_path, "backe");
    EXPECT_STREQ(small_token, "bac");
    EXPECT_EQ(small_path[6], kCanary);
    EXPECT_EQ(small_token[4], kCanary);
}

}  // namespace
