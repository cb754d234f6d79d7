// kernel::xenbus frontend: the network card's walk through xenstore (read_vif, wait_for_backend,
// publish_rings, switch_state) against a fake xenstore -- an in-memory tree with transactions
// and watches -- and a scripted backend that changes its state while the frontend waits.
#include "xenbus/frontend.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using kernel::xenbus::Error;
using kernel::xenbus::kNoTransaction;
using kernel::xenbus::parse_mac;
using kernel::xenbus::publish_rings;
using kernel::xenbus::read_vif;
using kernel::xenbus::RingRefs;
using kernel::xenbus::state_name;
using kernel::xenbus::switch_state;
using kernel::xenbus::VifConfig;
using kernel::xenbus::wait_for_backend;

using Tree = std::map<std::string, std::string>;

constexpr const char* kNode = "device/vif/0";
constexpr const char* kBackend = "/local/domain/0/backend/vif/5/0";
const std::string kBackendState = std::string(kBackend) + "/state";

const std::string kOk = "(no error)";
std::string str(Error e) { return e.ok() ? kOk : e.message(); }

// Xenstore as the frontend sees it through the Store interface.
class FakeStore final : public kernel::xenbus::Store {
public:
    // --- the tree, and what to script ---
    Tree nodes;                                  // committed state
    std::map<std::string, const char*> read_errors, write_errors;
    const char* watch_error = nullptr;
    const char* unwatch_error = nullptr;         // the watch stays set, as after a failed XS_UNWATCH
    const char* start_error = nullptr;
    int eagain_commits = 0;                      // the next N commits answer EAGAIN
    const char* commit_error = nullptr;          // then this (nullptr: commit)
    struct Step {
        uint64_t after_ns;                       // how long the backend takes
        std::function<void(FakeStore&)> act;
    };
    std::deque<Step> script;                     // the backend's moves while the frontend waits
    uint64_t clock = 1'000'000'000;

    // --- what the frontend did ---
    struct Write {
        uint32_t tx;
        std::string path, value;
        bool operator==(const Write&) const = default;
    };
    std::vector<Write> writes;                   // every write asked for, failed ones included
    std::vector<std::pair<uint32_t, std::string>> reads;
    int starts = 0;
    std::vector<std::pair<uint32_t, bool>> ends;  // (tx, commit)
    std::vector<Tree> committed_at_end;          // `nodes` as others saw it at each transaction_end
    std::vector<std::pair<std::string, std::string>> watches_set, watches_removed;
    std::vector<uint64_t> wait_deadlines;
    int events_delivered = 0;

    // The backend (or the toolstack) writes: committed at once, fires watches.
    void backend_write(const std::string& path, const std::string& value) {
        nodes[path] = value;
        fire(path);
    }

    Error read(uint32_t tx, const char* path, char* out, size_t size) override {
        reads.push_back({tx, path});
        if (auto e = read_errors.find(path); e != read_errors.end()) return Error(e->second);
        const std::string* value = nullptr;
        if (tx != kNoTransaction) {
            Tree* pending = transaction(tx);
            if (!pending) return Error("EINVAL");
            if (auto it = pending->find(path); it != pending->end()) value = &it->second;
        }
        if (!value) {
            auto it = nodes.find(path);
            if (it == nodes.end()) return Error("ENOENT");
            value = &it->second;
        }
        if (value->size() + 1 > size) return Error("reply does not fit");  // as the kernel's client
        memcpy(out, value->c_str(), value->size() + 1);
        return {};
    }

    Error write(uint32_t tx, const char* path, const char* value) override {
        writes.push_back({tx, path, value});
        if (auto e = write_errors.find(path); e != write_errors.end()) return Error(e->second);
        if (tx == kNoTransaction) {
            backend_write(path, value);
            return {};
        }
        Tree* pending = transaction(tx);
        if (!pending) return Error("EINVAL");
        (*pending)[path] = value;
        return {};
    }

    Error directory(uint32_t tx, const char* path, char* out, size_t size, size_t* length) override {
        reads.push_back({tx, path});
        std::string prefix = std::string(path) + "/", listing;
        std::set<std::string> children;
        for (const auto& [p, v] : nodes)
            if (p.compare(0, prefix.size(), prefix) == 0) children.insert(p.substr(prefix.size(), p.find('/', prefix.size()) - prefix.size()));
        for (const auto& c : children) listing += c + '\0';
        if (listing.size() > size) return Error("reply does not fit");
        memcpy(out, listing.data(), listing.size());
        *length = listing.size();
        return {};
    }

    Error transaction_start(uint32_t* tx) override {
        ++starts;
        if (start_error) return Error(start_error);
        *tx = next_tx_++;
        open_[*tx] = {};
        return {};
    }

    Error transaction_end(uint32_t tx, bool commit) override {
        ends.push_back({tx, commit});
        committed_at_end.push_back(nodes);
        auto it = open_.find(tx);
        if (it == open_.end()) {
            ADD_FAILURE() << "transaction_end of transaction " << tx << ", which is not open";
            return Error("EINVAL");
        }
        Tree pending = std::move(it->second);
        open_.erase(it);
        if (!commit) return {};
        if (eagain_commits > 0) {
            --eagain_commits;
            return Error("EAGAIN");  // xenstored threw the transaction away
        }
        if (commit_error) return Error(commit_error);
        for (const auto& [p, v] : pending) backend_write(p, v);
        return {};
    }

    Error watch(const char* path, const char* token) override {
        watches_set.push_back({path, token});
        if (watch_error) return Error(watch_error);
        for (const auto& [p, t] : active_)
            if (p == path && t == token) return Error("EEXIST");  // xenstored's do_watch
        active_.push_back({path, token});
        events_.push_back(path);  // xenstored fires a new watch once
        return {};
    }

    Error unwatch(const char* path, const char* token) override {
        watches_removed.push_back({path, token});
        if (unwatch_error) return Error(unwatch_error);
        for (auto it = active_.begin(); it != active_.end(); ++it) {
            if (it->first == path && it->second == token) {
                active_.erase(it);
                return {};
            }
        }
        return Error("ENOENT");
    }

    // The backend's next move happens while the frontend waits: the clock advances by the
    // step's duration, unless that would pass the deadline.
    bool wait_watch(uint64_t deadline_ns, char* path, size_t size) override {
        wait_deadlines.push_back(deadline_ns);
        for (;;) {
            if (!events_.empty()) {
                snprintf(path, size, "%s", events_.front().c_str());
                events_.pop_front();
                ++events_delivered;
                return true;
            }
            if (script.empty() || clock + script.front().after_ns > deadline_ns) {
                if (clock < deadline_ns) clock = deadline_ns;
                return false;
            }
            Step step = std::move(script.front());
            script.pop_front();
            clock += step.after_ns;
            step.act(*this);
        }
    }

    uint64_t now_ns() override { return clock; }

    size_t open_transactions() const { return open_.size(); }
    size_t active_watches() const { return active_.size(); }

private:
    Tree* transaction(uint32_t tx) {
        auto it = open_.find(tx);
        if (it == open_.end()) {
            ADD_FAILURE() << "transaction " << tx << " used but not open";
            return nullptr;
        }
        return &it->second;
    }
    void fire(const std::string& changed) {
        for (const auto& [path, token] : active_)
            if (changed == path || changed.compare(0, path.size() + 1, path + "/") == 0) events_.push_back(changed);
    }

    uint32_t next_tx_ = 41;  // not 1: the frontend must use the id it was given
    std::map<uint32_t, Tree> open_;
    std::vector<std::pair<std::string, std::string>> active_;
    std::deque<std::string> events_;
};

// What libxl writes for vif=['mac=00:16:3e:63:00:02,ip=10.0.0.2'] before the domain runs.
void toolstack_vif(FakeStore& s) {
    s.nodes["device/vif/0/backend"] = kBackend;
    s.nodes["device/vif/0/backend-id"] = "0";
    s.nodes["device/vif/0/mac"] = "00:16:3e:63:00:02";
    s.nodes["device/vif/0/mtu"] = "1500";
    s.nodes["device/vif/0/handle"] = "0";
    s.nodes["device/vif/0/state"] = "1";
    s.nodes[std::string(kBackend) + "/frontend"] = "/local/domain/5/device/vif/0";
    s.nodes[std::string(kBackend) + "/mac"] = "00:16:3e:63:00:02";
    s.nodes[std::string(kBackend) + "/ip"] = "10.0.0.2";
    s.nodes[kBackendState] = "1";
}

// The backend changes its state after `after_ns`.
FakeStore::Step backend_goes(const char* state, uint64_t after_ns = 1'000'000) {
    return {after_ns, [state](FakeStore& s) { s.backend_write(kBackendState, state); }};
}

// --- Error ----------------------------------------------------------------------------------

TEST(XenbusError, TheDefaultIsSuccessWithNoMessage) {
    constexpr Error e;
    static_assert(e.ok());
    EXPECT_STREQ(e.message(), "");
    EXPECT_FALSE(e.is("ENOENT"));
    EXPECT_FALSE(e.is(""));
}

TEST(XenbusError, AFailureKeepsItsMessage) {
    static const char kName[] = "ENOENT";
    Error e(kName);
    EXPECT_FALSE(e.ok());
    EXPECT_EQ(e.message(), kName);  // the same string, not a copy
    EXPECT_TRUE(e.is("ENOENT"));
    EXPECT_FALSE(e.is("ENOEN"));
    EXPECT_FALSE(e.is("ENOENTS"));
    EXPECT_FALSE(e.is("EAGAIN"));
    EXPECT_FALSE(Error("").ok());  // an empty message is still a failure
}

TEST(XenbusError, ANullMessageIsStillAFailure) {
    const char* none = nullptr;
    Error e(none);
    EXPECT_FALSE(e.ok());
    EXPECT_STREQ(e.message(), "unknown error");
}

// --- parse_mac and state_name -------------------------------------------------------------

TEST(XenbusParseMac, SixHexPairsSeparatedByColons) {
    uint8_t mac[6] = {};
    ASSERT_TRUE(parse_mac("00:16:3e:63:00:02", mac));
    EXPECT_EQ(std::vector<uint8_t>(mac, mac + 6), (std::vector<uint8_t>{0x00, 0x16, 0x3e, 0x63, 0x00, 0x02}));
    ASSERT_TRUE(parse_mac("AA:bB:Cc:dd:EE:ff", mac));
    EXPECT_EQ(std::vector<uint8_t>(mac, mac + 6), (std::vector<uint8_t>{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
    ASSERT_TRUE(parse_mac("09:90:a0:0a:f9:9f", mac));
    EXPECT_EQ(std::vector<uint8_t>(mac, mac + 6), (std::vector<uint8_t>{0x09, 0x90, 0xa0, 0x0a, 0xf9, 0x9f}));
}

TEST(XenbusParseMac, AnythingElseIsRefused) {
    for (const char* bad : {"", "00", "00:16:3e:63:00", "00:16:3e:63:00:", "00:16:3e:63:00:02:", "00:16:3e:63:00:02:03",
                            "00:16:3e:63:00:021", "00:16:3e:63:00:2", "0:16:3e:63:00:02", "00-16-3e-63-00-02",
                            "00163e630002", "00::16:3e:63:00:02", "00:16:3e:63:00:0g", "g0:16:3e:63:00:02",
                            " 00:16:3e:63:00:02", "00:16:3e:63:00:02 ", "00:16:3e:63:00:02\n", "0x:16:3e:63:00:02"}) {
        uint8_t mac[6] = {};
        EXPECT_FALSE(parse_mac(bad, mac)) << "\"" << bad << "\"";
    }
}

TEST(XenbusStateName, NamesEveryStateAndSaysSoForOthers) {
    EXPECT_STREQ(state_name(XenbusStateUnknown), "Unknown");
    EXPECT_STREQ(state_name(XenbusStateInitialising), "Initialising");
    EXPECT_STREQ(state_name(XenbusStateInitWait), "InitWait");
    EXPECT_STREQ(state_name(XenbusStateInitialised), "Initialised");
    EXPECT_STREQ(state_name(XenbusStateConnected), "Connected");
    EXPECT_STREQ(state_name(XenbusStateClosing), "Closing");
    EXPECT_STREQ(state_name(XenbusStateClosed), "Closed");
    EXPECT_STREQ(state_name(XenbusStateReconfiguring), "Reconfiguring");
    EXPECT_STREQ(state_name(XenbusStateReconfigured), "Reconfigured");
    EXPECT_STREQ(state_name(static_cast<XenbusState>(42)), "(not a XenBus state)");
}

// --- read_vif -------------------------------------------------------------------------------

TEST(XenbusReadVif, ReadsEveryKeyTheToolstackWrote) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes["device/vif/0/mtu"] = "9000";
    s.nodes["device/vif/0/backend-id"] = "3";
    s.nodes["device/vif/0/ip"] = "192.0.2.99";  // not where libxl puts it: must not be used
    VifConfig c;
    memset(&c, 0x5a, sizeof c);
    bool present = false;
    ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk);
    EXPECT_TRUE(present);
    EXPECT_STREQ(c.node, "device/vif/0");
    EXPECT_STREQ(c.backend, kBackend);
    EXPECT_EQ(c.backend_id, 3);
    EXPECT_EQ(std::vector<uint8_t>(c.mac, c.mac + 6), (std::vector<uint8_t>{0x00, 0x16, 0x3e, 0x63, 0x00, 0x02}));
    EXPECT_EQ(c.mtu, 9000u);
    EXPECT_STREQ(c.ip, "10.0.0.2");  // from the backend's directory
    // All outside any transaction; the ip from <backend>/ip.
    for (const auto& [tx, path] : s.reads) EXPECT_EQ(tx, kNoTransaction) << path;
    bool read_backend_ip = false;
    for (const auto& [tx, path] : s.reads) {
        EXPECT_NE(path, "device/vif/0/ip");
        if (path == std::string(kBackend) + "/ip") read_backend_ip = true;
    }
    EXPECT_TRUE(read_backend_ip);
    EXPECT_TRUE(s.writes.empty());  // reading writes nothing
}

TEST(XenbusReadVif, NoDeviceVif0MeansNoCardAndNoError) {
    FakeStore s;
    s.nodes["device/console/0/state"] = "1";  // other devices do not matter
    VifConfig c;
    bool present = true;
    EXPECT_EQ(str(read_vif(s, kNode, &c, &present)), kOk);
    EXPECT_FALSE(present);
    ASSERT_EQ(s.reads.size(), 1u);  // one look, and no further
    EXPECT_EQ(s.reads[0].second, "device/vif/0/backend");
}

TEST(XenbusReadVif, AnotherErrorReadingTheBackendKeyIsReported) {
    FakeStore s;
    toolstack_vif(s);
    s.read_errors["device/vif/0/backend"] = "EACCES";
    VifConfig c;
    bool present = true;
    EXPECT_EQ(str(read_vif(s, kNode, &c, &present)), "EACCES");
    EXPECT_FALSE(present);
}

TEST(XenbusReadVif, ABackendIdThatIsNoDomainIdIsAnError) {
    for (const char* bad : {"", "abc", "-1", "1x", " 1", "32752" /* DOMID_FIRST_RESERVED */, "65535", "4294967295",
                            "4294967296", "99999999999999999999"}) {
        FakeStore s;
        toolstack_vif(s);
        s.nodes["device/vif/0/backend-id"] = bad;
        VifConfig c;
        bool present = false;
        EXPECT_EQ(str(read_vif(s, kNode, &c, &present)), "backend-id is not a domain id") << "\"" << bad << "\"";
        EXPECT_TRUE(present);  // there is a card; it is misconfigured
    }
    FakeStore s;
    toolstack_vif(s);
    s.nodes["device/vif/0/backend-id"] = "32751";  // the last ordinary domain id
    VifConfig c;
    bool present = false;
    ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk);
    EXPECT_EQ(c.backend_id, 32751);
}

TEST(XenbusReadVif, AMissingBackendIdOrMacIsAnError) {
    for (const char* key : {"device/vif/0/backend-id", "device/vif/0/mac"}) {
        FakeStore s;
        toolstack_vif(s);
        s.nodes.erase(key);
        VifConfig c;
        bool present = false;
        EXPECT_EQ(str(read_vif(s, kNode, &c, &present)), "ENOENT") << key;
        EXPECT_TRUE(present);
    }
}

TEST(XenbusReadVif, ABadMacIsAnError) {
    for (const char* bad : {"", "00:16:3e:63:00", "00:16:3e:63:00:02:ff", "random"}) {
        FakeStore s;
        toolstack_vif(s);
        s.nodes["device/vif/0/mac"] = bad;
        VifConfig c;
        bool present = false;
        EXPECT_EQ(str(read_vif(s, kNode, &c, &present)), "mac is not of the form 00:16:3e:xx:xx:xx") << bad;
    }
}

TEST(XenbusReadVif, AnMtuOutsideEthernetsRangeIsAnError) {
    for (const char* bad : {"", "abc", "1500x", "0", "575", "65536", "4294967296"}) {
        FakeStore s;
        toolstack_vif(s);
        s.nodes["device/vif/0/mtu"] = bad;
        VifConfig c;
        bool present = false;
        EXPECT_EQ(str(read_vif(s, kNode, &c, &present)), "mtu is not a number from 576 to 65535") << "\"" << bad << "\"";
    }
    for (unsigned good : {576u, 1500u, 65535u}) {
        FakeStore s;
        toolstack_vif(s);
        s.nodes["device/vif/0/mtu"] = std::to_string(good);
        VifConfig c;
        bool present = false;
        ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk) << good;
        EXPECT_EQ(c.mtu, good);
    }
}

TEST(XenbusReadVif, NoMtuKeyMeans1500) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes.erase("device/vif/0/mtu");
    VifConfig c;
    bool present = false;
    ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk);
    EXPECT_EQ(c.mtu, 1500u);
}

TEST(XenbusReadVif, NoIpKeyMeansAnEmptyIp) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes.erase(std::string(kBackend) + "/ip");
    VifConfig c;
    memset(&c, 0x5a, sizeof c);
    bool present = false;
    ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk);
    EXPECT_STREQ(c.ip, "");
}

TEST(XenbusReadVif, AnIpThatCannotBeReadIsEmptyNotGarbage) {
    for (const char* why : {"EACCES", "too long"}) {
        FakeStore s;
        toolstack_vif(s);
        if (std::string(why) == "EACCES")
            s.read_errors[std::string(kBackend) + "/ip"] = "EACCES";
        else
            s.nodes[std::string(kBackend) + "/ip"] = "10.0.0.2 10.0.0.3";  // two addresses: more than 15 bytes
        VifConfig c;
        bool present = false;
        ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk) << why;
        EXPECT_STREQ(c.ip, "") << why;
    }
}

// --- wait_for_backend -----------------------------------------------------------------------

TEST(XenbusWaitForBackend, ABackendAlreadyInInitWaitNeedsNoWait) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes[kBackendState] = "2";
    XenbusState seen = XenbusStateUnknown;
    ASSERT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), kOk);
    EXPECT_EQ(seen, XenbusStateInitWait);
    EXPECT_TRUE(s.wait_deadlines.empty());
    using P = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(s.watches_set, (P{{kBackendState, "backend-state"}}));
    EXPECT_EQ(s.watches_removed, (P{{kBackendState, "backend-state"}}));
    EXPECT_EQ(s.active_watches(), 0u);
}

TEST(XenbusWaitForBackend, ALaterStateBeforeClosingAlsoCounts) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes[kBackendState] = "4";
    XenbusState seen = XenbusStateUnknown;
    ASSERT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), kOk);
    EXPECT_EQ(seen, XenbusStateConnected);
}

TEST(XenbusWaitForBackend, ReachesInitWaitAfterTwoWatchEvents) {
    FakeStore s;
    toolstack_vif(s);  // backend Initialising
    s.script.push_back(backend_goes("2"));
    XenbusState seen = XenbusStateUnknown;
    ASSERT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), kOk);
    EXPECT_EQ(seen, XenbusStateInitWait);
    EXPECT_EQ(s.events_delivered, 2);  // the one on setting the watch, and the change
    EXPECT_EQ(s.wait_deadlines.size(), 2u);
    int state_reads = 0;
    for (const auto& [tx, path] : s.reads) state_reads += path == kBackendState;
    EXPECT_EQ(state_reads, 3);  // before each wait, and after the last
    EXPECT_TRUE(s.script.empty());
    EXPECT_EQ(s.watches_removed.size(), 1u);
    EXPECT_EQ(s.active_watches(), 0u);
}

TEST(XenbusWaitForBackend, UnrelatedChangesDoNotEndTheWait) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes[kBackendState] = "2";
    // Connecting: the backend writes other keys of its own (no event: not under state), then
    // rewrites InitWait (an event, but not yet what we want), then goes Connected.
    s.script.push_back({1'000'000, [](FakeStore& f) { f.backend_write(std::string(kBackend) + "/hotplug-status", "connected"); }});
    s.script.push_back(backend_goes("2"));
    s.script.push_back(backend_goes("4"));
    XenbusState seen = XenbusStateUnknown;
    ASSERT_EQ(str(wait_for_backend(s, kBackend, XenbusStateConnected, 5'000'000'000, &seen)), kOk);
    EXPECT_EQ(seen, XenbusStateConnected);
    EXPECT_EQ(s.events_delivered, 3);
    EXPECT_TRUE(s.script.empty());
}

TEST(XenbusWaitForBackend, AStuckBackendTimesOut) {
    FakeStore s;
    toolstack_vif(s);
    const uint64_t start = s.clock;
    XenbusState seen = XenbusStateUnknown;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)),
              "timed out waiting for the backend");
    EXPECT_EQ(seen, XenbusStateInitialising);
    ASSERT_FALSE(s.wait_deadlines.empty());
    for (uint64_t d : s.wait_deadlines) EXPECT_EQ(d, start + 5'000'000'000);  // one deadline for the whole wait
    EXPECT_EQ(s.watches_removed.size(), 1u);
    EXPECT_EQ(s.active_watches(), 0u);
}

TEST(XenbusWaitForBackend, ABackendTooSlowTimesOutEvenIfItWouldGetThereLater) {
    FakeStore s;
    toolstack_vif(s);
    s.script.push_back(backend_goes("1", 2'000'000'000));  // at 2 s: rewrites Initialising (an event)
    s.script.push_back(backend_goes("2", 4'000'000'000));  // at 6 s: past the 5 s deadline
    XenbusState seen = XenbusStateUnknown;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)),
              "timed out waiting for the backend");
    EXPECT_EQ(seen, XenbusStateInitialising);
    EXPECT_EQ(s.events_delivered, 2);
    EXPECT_EQ(s.script.size(), 1u);  // the move to InitWait never happened
    EXPECT_EQ(s.nodes[kBackendState], "1");
    EXPECT_EQ(s.active_watches(), 0u);
}

TEST(XenbusWaitForBackend, ABackendThatClosesIsAnError) {
    for (const char* closing : {"5", "6"}) {
        FakeStore s;
        toolstack_vif(s);
        s.script.push_back(backend_goes(closing));
        s.script.push_back(backend_goes("2"));  // never reached
        XenbusState seen = XenbusStateUnknown;
        EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), "the backend is closing")
            << closing;
        EXPECT_EQ(seen, static_cast<XenbusState>(closing[0] - '0'));
        EXPECT_EQ(s.script.size(), 1u);
        EXPECT_EQ(s.watches_removed.size(), 1u);
        EXPECT_EQ(s.active_watches(), 0u);
    }
}

TEST(XenbusWaitForBackend, ABackendClosedFromTheStartIsAnErrorWithoutWaiting) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes[kBackendState] = "6";
    XenbusState seen = XenbusStateUnknown;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateConnected, 5'000'000'000, &seen)), "the backend is closing");
    EXPECT_EQ(seen, XenbusStateClosed);
    EXPECT_TRUE(s.wait_deadlines.empty());
    EXPECT_EQ(s.active_watches(), 0u);
}

TEST(XenbusWaitForBackend, AStateThatCannotBeReadOrIsNoNumberIsAnErrorAndTheWatchGoes) {
    {
        FakeStore s;
        toolstack_vif(s);
        s.nodes.erase(kBackendState);
        XenbusState seen = XenbusStateUnknown;
        EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), "ENOENT");
        EXPECT_EQ(s.watches_removed.size(), 1u);
        EXPECT_EQ(s.active_watches(), 0u);
    }
    for (const char* bad : {"", "InitWait", "2 "}) {
        FakeStore s;
        toolstack_vif(s);
        s.nodes[kBackendState] = bad;
        XenbusState seen = XenbusStateUnknown;
        EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)),
                  "the backend's state is not a number")
            << "\"" << bad << "\"";
        EXPECT_EQ(s.active_watches(), 0u);
    }
}

TEST(XenbusWaitForBackend, AWatchThatCannotBeRemovedIsAnErrorOnceTheWaitWentWell) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes[kBackendState] = "2";
    s.unwatch_error = "no reply from xenstored";
    XenbusState seen = XenbusStateUnknown;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), "no reply from xenstored");
    EXPECT_EQ(seen, XenbusStateInitWait);
    EXPECT_EQ(s.active_watches(), 1u);
    // Why it matters: the next wait cannot set its watch while the old one is there.
    s.unwatch_error = nullptr;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateConnected, 5'000'000'000, &seen)), "EEXIST");
}

TEST(XenbusWaitForBackend, TheWaitsOwnErrorComesBeforeTheUnwatchs) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes.erase(kBackendState);
    s.unwatch_error = "no reply from xenstored";
    XenbusState seen = XenbusStateUnknown;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), "ENOENT");
    EXPECT_EQ(s.watches_removed.size(), 1u);  // it was tried all the same
}

TEST(XenbusWaitForBackend, AWatchThatCannotBeSetIsReported) {
    FakeStore s;
    toolstack_vif(s);
    s.nodes[kBackendState] = "2";
    s.watch_error = "ENOSPC";
    XenbusState seen = XenbusStateUnknown;
    EXPECT_EQ(str(wait_for_backend(s, kBackend, XenbusStateInitWait, 5'000'000'000, &seen)), "ENOSPC");
    EXPECT_TRUE(s.reads.empty());
    EXPECT_TRUE(s.watches_removed.empty());  // nothing was set, nothing to remove
}

// --- publish_rings --------------------------------------------------------------------------

// The keys frontend.cpp writes, with the values for these refs.
Tree expected_keys(uint32_t tx_ref, uint32_t rx_ref, uint32_t port) {
    return {
        {"device/vif/0/tx-ring-ref", std::to_string(tx_ref)},
        {"device/vif/0/rx-ring-ref", std::to_string(rx_ref)},
        {"device/vif/0/event-channel", std::to_string(port)},
        {"device/vif/0/request-rx-copy", "1"},
        {"device/vif/0/feature-rx-notify", "1"},
        {"device/vif/0/feature-no-csum-offload", "1"},
        {"device/vif/0/feature-sg", "0"},
        {"device/vif/0/feature-gso-tcpv4", "0"},
    };
}

// Of `tree`, the nodes that are among `keys`.
Tree only(const Tree& tree, const Tree& keys) {
    Tree out;
    for (const auto& [p, v] : tree)
        if (keys.count(p)) out[p] = v;
    return out;
}

TEST(XenbusPublishRings, WritesExactlyItsKeysInOneTransaction) {
    FakeStore s;
    toolstack_vif(s);
    const Tree before = s.nodes;
    int attempts = 0;
    ASSERT_EQ(str(publish_rings(s, kNode, RingRefs{9, 10, 17}, &attempts)), kOk);
    EXPECT_EQ(attempts, 1);
    EXPECT_EQ(s.starts, 1);
    ASSERT_EQ(s.ends.size(), 1u);
    const uint32_t tx = s.ends[0].first;
    EXPECT_NE(tx, kNoTransaction);
    EXPECT_TRUE(s.ends[0].second);  // committed

    const Tree keys = expected_keys(9, 10, 17);
    Tree written;
    for (const auto& w : s.writes) {
        EXPECT_EQ(w.tx, tx) << w.path << " written outside the transaction";
        EXPECT_TRUE(written.emplace(w.path, w.value).second) << w.path << " written twice";
    }
    EXPECT_EQ(written, keys);
    // Nothing of it visible to others before the commit...
    ASSERT_EQ(s.committed_at_end.size(), 1u);
    EXPECT_EQ(s.committed_at_end[0], before);
    // ...and all of it after, nothing else changed.
    Tree after = before;
    for (const auto& [p, v] : keys) after[p] = v;
    EXPECT_EQ(s.nodes, after);
    EXPECT_EQ(s.open_transactions(), 0u);
}

TEST(XenbusPublishRings, NumbersAreWrittenInDecimalToTheirFullWidth) {
    FakeStore s;
    int attempts = 0;
    ASSERT_EQ(str(publish_rings(s, kNode, RingRefs{0, 4294967295u, 1023}, &attempts)), kOk);
    EXPECT_EQ(only(s.nodes, expected_keys(0, 4294967295u, 1023)), expected_keys(0, 4294967295u, 1023));
    EXPECT_EQ(s.nodes["device/vif/0/rx-ring-ref"], "4294967295");
}

TEST(XenbusPublishRings, RetriesOnEagainAndSaysHowManyTransactionsItTook) {
    FakeStore s;
    toolstack_vif(s);
    const Tree before = s.nodes;
    s.eagain_commits = 2;
    int attempts = 0;
    ASSERT_EQ(str(publish_rings(s, kNode, RingRefs{9, 10, 17}, &attempts)), kOk);
    EXPECT_EQ(attempts, 3);
    EXPECT_EQ(s.starts, 3);
    ASSERT_EQ(s.ends.size(), 3u);
    std::set<uint32_t> ids;
    for (const auto& [tx, commit] : s.ends) {
        EXPECT_TRUE(commit);
        ids.insert(tx);
    }
    EXPECT_EQ(ids.size(), 3u);  // a new transaction each time
    // Every attempt writes all keys again, in its own transaction.
    EXPECT_EQ(s.writes.size(), 3 * expected_keys(9, 10, 17).size());
    for (size_t i = 0; i < s.writes.size(); ++i) EXPECT_EQ(s.writes[i].tx, s.ends[i / 8].first) << i;
    for (const Tree& seen : s.committed_at_end) EXPECT_EQ(seen, before);  // nothing leaked from a failed one
    EXPECT_EQ(only(s.nodes, expected_keys(9, 10, 17)), expected_keys(9, 10, 17));
}

TEST(XenbusPublishRings, GivesUpWhenEagainNeverStops) {
    FakeStore s;
    toolstack_vif(s);
    const Tree before = s.nodes;
    s.eagain_commits = 1000;
    int attempts = 0;
    EXPECT_EQ(str(publish_rings(s, kNode, RingRefs{9, 10, 17}, &attempts)), "the transaction kept failing with EAGAIN");
    EXPECT_EQ(s.starts, 16);
    EXPECT_EQ(s.ends.size(), 16u);
    EXPECT_EQ(attempts, 16);  // how many transactions it took: all of them, not one more
    EXPECT_EQ(s.nodes, before);
    EXPECT_EQ(s.open_transactions(), 0u);
}

TEST(XenbusPublishRings, AWriteErrorAbortsTheTransaction) {
    FakeStore s;
    toolstack_vif(s);
    const Tree before = s.nodes;
    s.write_errors["device/vif/0/event-channel"] = "EACCES";
    int attempts = 0;
    EXPECT_EQ(str(publish_rings(s, kNode, RingRefs{9, 10, 17}, &attempts)), "EACCES");
    EXPECT_EQ(attempts, 1);
    EXPECT_EQ(s.starts, 1);
    ASSERT_EQ(s.ends.size(), 1u);
    EXPECT_FALSE(s.ends[0].second);  // aborted, not committed
    ASSERT_EQ(s.writes.size(), 3u);  // stopped at the failing key
    EXPECT_EQ(s.writes.back().path, "device/vif/0/event-channel");
    EXPECT_EQ(s.nodes, before);
    EXPECT_EQ(s.open_transactions(), 0u);
}

TEST(XenbusPublishRings, AFailedTransactionStartIsReported) {
    FakeStore s;
    s.start_error = "ENOSPC";
    int attempts = 0;
    EXPECT_EQ(str(publish_rings(s, kNode, RingRefs{9, 10, 17}, &attempts)), "ENOSPC");
    EXPECT_EQ(attempts, 1);
    EXPECT_EQ(s.starts, 1);
    EXPECT_TRUE(s.writes.empty());
    EXPECT_TRUE(s.ends.empty());
}

TEST(XenbusPublishRings, ACommitErrorOtherThanEagainIsNotRetried) {
    FakeStore s;
    toolstack_vif(s);
    const Tree before = s.nodes;
    s.commit_error = "EINVAL";
    int attempts = 0;
    EXPECT_EQ(str(publish_rings(s, kNode, RingRefs{9, 10, 17}, &attempts)), "EINVAL");
    EXPECT_EQ(attempts, 1);
    EXPECT_EQ(s.starts, 1);
    EXPECT_EQ(s.nodes, before);
}

// --- switch_state ---------------------------------------------------------------------------

TEST(XenbusSwitchState, WritesTheStateNumberOutsideAnyTransaction) {
    FakeStore s;
    toolstack_vif(s);
    ASSERT_EQ(str(switch_state(s, kNode, XenbusStateConnected)), kOk);
    ASSERT_EQ(str(switch_state(s, kNode, XenbusStateClosing)), kOk);
    using W = std::vector<FakeStore::Write>;
    EXPECT_EQ(s.writes, (W{{kNoTransaction, "device/vif/0/state", "4"}, {kNoTransaction, "device/vif/0/state", "5"}}));
    EXPECT_EQ(s.nodes["device/vif/0/state"], "5");
    EXPECT_EQ(s.starts, 0);
}

TEST(XenbusSwitchState, AWriteErrorIsReported) {
    FakeStore s;
    s.write_errors["device/vif/0/state"] = "EACCES";
    EXPECT_EQ(str(switch_state(s, kNode, XenbusStateInitialised)), "EACCES");
}

// The whole handshake, as netfront::init runs it, against a backend that follows the frontend.
TEST(XenbusFrontend, TheHandshakeAgainstAScriptedBackend) {
    FakeStore s;
    toolstack_vif(s);
    s.script.push_back(backend_goes("2", 50'000'000));  // netback probes, goes InitWait
    VifConfig c;
    bool present = false;
    ASSERT_EQ(str(read_vif(s, kNode, &c, &present)), kOk);
    ASSERT_TRUE(present);
    XenbusState seen = XenbusStateUnknown;
    ASSERT_EQ(str(wait_for_backend(s, c.backend, XenbusStateInitWait, 5'000'000'000, &seen)), kOk);
    int attempts = 0;
    s.eagain_commits = 1;  // the backend's hotplug script wrote meanwhile
    ASSERT_EQ(str(publish_rings(s, c.node, RingRefs{8, 9, 5}, &attempts)), kOk);
    EXPECT_EQ(attempts, 2);
    ASSERT_EQ(str(switch_state(s, c.node, XenbusStateConnected)), kOk);
    // The backend connects only once it sees our rings and state.
    s.script.push_back({10'000'000, [](FakeStore& f) {
                            if (f.nodes.count("device/vif/0/tx-ring-ref") && f.nodes["device/vif/0/state"] == "4")
                                f.backend_write(kBackendState, "4");
                        }});
    ASSERT_EQ(str(wait_for_backend(s, c.backend, XenbusStateConnected, 5'000'000'000, &seen)), kOk);
    EXPECT_EQ(seen, XenbusStateConnected);
    EXPECT_EQ(s.active_watches(), 0u);
    EXPECT_EQ(s.open_transactions(), 0u);
}

}  // namespace
