// raw_frames — the FRAMES command (see raw_frames.hpp).
#include "raw_frames.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "wire.hpp"

namespace agent {

namespace {

constexpr size_t kMaxFile = 4 << 20;  // a corpus is a few hundred frames, not megabytes

bool read_file(const std::string& path, std::string* out, std::string* why) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = "cannot open " + path + " in dom0: " + strerror(errno);
        return false;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) out->append(buf, static_cast<size_t>(n));
        if (out->size() > kMaxFile) break;
    }
    close(fd);
    if (out->size() > kMaxFile) {
        *why = path + " is larger than 4 MiB: not a frame corpus";
        return false;
    }
    return true;
}

// Splits [u16 big-endian length][bytes]... into frames; false if the file ends inside one.
bool parse(const std::string& data, std::vector<std::string>* frames, std::string* why) {
    size_t at = 0;
    while (at < data.size()) {
        if (data.size() - at < 2) {
            *why = "the frame file ends inside a length field, at byte " + std::to_string(at);
            return false;
        }
        size_t len = static_cast<unsigned char>(data[at]) << 8 | static_cast<unsigned char>(data[at + 1]);
        at += 2;
        if (data.size() - at < len) {
            *why = "frame " + std::to_string(frames->size()) + " is cut short by the end of the file";
            return false;
        }
        frames->push_back(data.substr(at, len));
        at += len;
    }
    return true;
}

}  // namespace

void send_frames(const std::string& id, const std::string& ifname, const std::string& path) {
    std::string data, why;
    std::vector<std::string> frames;
    if (!read_file(path, &data, &why) || !parse(data, &frames, &why))
        return send_line("@TOOLERR " + id + " " + hex(why));
    unsigned ifindex = if_nametoindex(ifname.c_str());
    if (ifindex == 0)
        return send_line("@TOOLERR " + id + " " + hex("no interface " + ifname + " in dom0 (has the guest a vif?)"));
    // Protocol 0: this socket only sends, so it receives nothing and needs no draining.
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s < 0) return send_line("@TOOLERR " + id + " " + hex(std::string("AF_PACKET socket: ") + strerror(errno)));
    size_t sent = 0;
    long first_failure = -1;
    std::string failure;
    for (size_t i = 0; i < frames.size(); ++i) {
        const std::string& f = frames[i];
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = static_cast<int>(ifindex);
        // sll_protocol 0: the kernel takes the protocol from the frame's own EtherType.
        to.sll_halen = ETH_ALEN;
        memcpy(to.sll_addr, f.data(), f.size() < ETH_ALEN ? f.size() : ETH_ALEN);
        ssize_t r = -1;
        // ENOBUFS: the vif's queue is full for a moment (the guest has not taken the earlier
        // frames yet); waiting a little is what a real sender's retransmission would do.
        for (int tries = 0; tries < 100; ++tries) {
            r = sendto(s, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
            if (r >= 0 || (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)) break;
            usleep(1000);
        }
        if (r == static_cast<ssize_t>(f.size())) {
            ++sent;
        } else if (first_failure < 0) {
            first_failure = static_cast<long>(i);
            failure = r < 0 ? strerror(errno) : "sent only part of it";
        }
    }
    close(s);
    std::string reply = "@FRAMES " + id + " " + std::to_string(sent) + " " + std::to_string(frames.size());
    if (first_failure >= 0) reply += " " + std::to_string(first_failure) + " " + hex(failure);
    send_line(reply);
}

}  // namespace agent
