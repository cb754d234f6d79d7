// net_setup — the NET command (see net_setup.hpp).
//
// Plain ioctls and sysfs writes instead of running `ip`: they are what `ip` and `brctl` do
// underneath, they need nothing in the image, and a failure comes back as one errno.
#include "net_setup.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wire.hpp"

namespace agent {

namespace {

std::string err(const std::string& what) { return what + ": " + strerror(errno); }

bool exists(const std::string& path) {
    struct stat st{};
    return stat(path.c_str(), &st) == 0;
}

std::string write_file(const std::string& path, const std::string& text) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return err("open " + path);
    ssize_t w = write(fd, text.data(), text.size());
    std::string why = w == static_cast<ssize_t>(text.size()) ? "" : err("write " + path);
    close(fd);
    return why;
}

// insmod of each module in the list; one already loaded (EEXIST) is fine.
std::string load_modules(const std::string& order) {
    FILE* f = fopen(order.c_str(), "re");
    if (!f) return "";  // no list: a machine whose kernel loads these on demand
    char line[512];
    std::string why;
    while (why.empty() && fgets(line, sizeof line, f)) {
        std::string path = trim(line);
        if (path.empty()) continue;
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            why = err("open " + path);
            break;
        }
        if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) why = err("loading " + path);
        close(fd);
    }
    fclose(f);
    return why;
}

bool parse_mac(const std::string& s, unsigned char out[6]) {
    return sscanf(s.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &out[0], &out[1], &out[2], &out[3], &out[4],
                  &out[5]) == 6;
}

bool parse_cidr(const std::string& s, in_addr* addr, in_addr* mask) {
    auto slash = s.find('/');
    if (slash == std::string::npos) return false;
    int prefix = atoi(s.c_str() + slash + 1);
    if (prefix < 1 || prefix > 32 || inet_pton(AF_INET, s.substr(0, slash).c_str(), addr) != 1) return false;
    mask->s_addr = htonl(prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix));
    return true;
}

ifreq request(const std::string& name) {
    ifreq r{};
    strncpy(r.ifr_name, name.c_str(), IFNAMSIZ - 1);
    return r;
}

sockaddr inet(in_addr a) {
    sockaddr out{};
    auto* in = reinterpret_cast<sockaddr_in*>(&out);
    in->sin_family = AF_INET;
    in->sin_addr = a;
    return out;
}

std::string check_existing(int s, const std::string& bridge, in_addr want) {
    if (!exists("/sys/class/net/" + bridge + "/bridge"))
        return bridge + " exists in dom0 but is not a bridge; the checker will not change it";
    ifreq r = request(bridge);
    in_addr have{};
    if (ioctl(s, SIOCGIFADDR, &r) == 0) have = reinterpret_cast<sockaddr_in*>(&r.ifr_addr)->sin_addr;
    if (have.s_addr != want.s_addr) {
        char text[INET_ADDRSTRLEN] = "no IPv4 address";
        if (have.s_addr) inet_ntop(AF_INET, &have, text, sizeof text);
        return "the bridge " + bridge + " exists with " + text +
               "; the checker needs its own address on it and will not change an existing bridge";
    }
    return "";
}

std::string make_bridge(int s, const std::string& bridge, const unsigned char mac[6], in_addr addr, in_addr mask) {
    // SIOCBRADDBR makes the kernel load the bridge module itself if it is not there yet.
    char name[IFNAMSIZ] = {};
    strncpy(name, bridge.c_str(), IFNAMSIZ - 1);
    if (ioctl(s, SIOCBRADDBR, name) != 0) return err("creating bridge " + bridge);
    // A new bridge has STP off, so a port forwards as soon as it joins, with no learning
    // delay (net/bridge/br_stp.c, br_make_forwarding: BR_NO_STP goes straight to forwarding).
    // No IPv6 on the bridge nor on the vifs that join it later (they copy "default"): its
    // router solicitations, MLD reports and DAD probes would reach the guests at times that
    // vary from boot to boot and show up in their consoles.
    if (exists("/proc/sys/net/ipv6")) {
        const std::string paths[] = {"/proc/sys/net/ipv6/conf/default/disable_ipv6",
                                     "/proc/sys/net/ipv6/conf/" + bridge + "/disable_ipv6"};
        for (auto& path : paths)
            if (auto why = write_file(path, "1"); !why.empty()) return why;
    }
    // A fixed MAC: a bridge otherwise takes the smallest of its ports' MACs, and netback's vifs
    // all have fe:ff:ff:ff:ff:ff (set by vif-bridge), so dom0's MAC would change when the
    // first guest joins.  An address set by hand stays (net/bridge/br_stp_if.c,
    // br_stp_recalculate_bridge_id: "user has chosen a value so keep it").
    ifreq r = request(bridge);
    r.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(r.ifr_hwaddr.sa_data, mac, 6);
    if (ioctl(s, SIOCSIFHWADDR, &r) != 0) return err("setting the MAC of " + bridge);
    r = request(bridge);
    r.ifr_addr = inet(addr);
    if (ioctl(s, SIOCSIFADDR, &r) != 0) return err("setting the address of " + bridge);
    r = request(bridge);
    r.ifr_netmask = inet(mask);
    if (ioctl(s, SIOCSIFNETMASK, &r) != 0) return err("setting the netmask of " + bridge);
    r = request(bridge);
    if (ioctl(s, SIOCGIFFLAGS, &r) != 0) return err("reading the flags of " + bridge);
    r.ifr_flags = static_cast<short>(r.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &r) != 0) return err("bringing " + bridge + " up");
    return "";
}

}  // namespace

std::string net_up(const std::string& modules_order, const std::string& bridge, const std::string& mac,
                   const std::string& cidr, bool* made) {
    *made = false;
    unsigned char hw[6];
    in_addr addr{}, mask{};
    if (bridge.empty() || bridge.size() >= IFNAMSIZ) return "NET: bad bridge name '" + bridge + "'";
    if (!parse_mac(mac, hw)) return "NET: bad MAC '" + mac + "'";
    if (!parse_cidr(cidr, &addr, &mask)) return "NET: bad address '" + cidr + "' (want a.b.c.d/prefix)";
    if (auto why = load_modules(modules_order); !why.empty()) return why;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return err("socket");
    std::string why;
    if (exists("/sys/class/net/" + bridge)) {
        why = check_existing(s, bridge, addr);
    } else {
        why = make_bridge(s, bridge, hw, addr, mask);
        *made = why.empty();
    }
    close(s);
    return why;
}

}  // namespace agent
