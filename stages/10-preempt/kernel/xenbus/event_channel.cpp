// Book: chapter 08-ping (book/stages/08-ping.md).
#include "event_channel.hpp"

#include "../hypercall.hpp"

namespace kernel::evtchn {

evtchn_port_t alloc_unbound(domid_t remote, long* rc) {
    evtchn_alloc_unbound op{};
    op.dom = DOMID_SELF;
    op.remote_dom = remote;
    *rc = hv::event_channel_op(EVTCHNOP_alloc_unbound, &op);
    return *rc == 0 ? op.port : 0;
}

void notify(evtchn_port_t port) { hv::notify(port); }

long close(evtchn_port_t port) {
    evtchn_close op{port};
    return hv::event_channel_op(EVTCHNOP_close, &op);
}

}  // namespace kernel::evtchn
