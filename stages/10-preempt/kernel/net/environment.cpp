// The network card's settings, for Go: a unikernel has no ifconfig and no DHCP client here,
// so the program learns its address the way a twelve-factor app learns its configuration.
// Book: chapter 08-ping (book/stages/08-ping.md).
#include "../format.hpp"
#include "../panic.hpp"
#include "../rt0.hpp"
#include "netfront.hpp"

namespace kernel::net {

void export_environment() {
    if (!present()) return;
    const xenbus::VifConfig& c = config();
    char entry[64];
    const uint8_t* m = c.mac;
    snformat(entry, sizeof entry, "VIF0_MAC=%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    bool ok = rt0::add_environment(entry);
    snformat(entry, sizeof entry, "VIF0_MTU=%u", c.mtu);
    ok = ok && rt0::add_environment(entry);
    if (c.ip[0]) {
        snformat(entry, sizeof entry, "VIF0_IP=%s", c.ip);
        ok = ok && rt0::add_environment(entry);
    }
    if (!ok) panic("net: the environment has no room for the card's settings");
}

}  // namespace kernel::net
