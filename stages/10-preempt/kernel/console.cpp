// Book: chapter 01-link (book/stages/01-link.md).
#include "console.hpp"

#include "address.hpp"
#include "console_ring.hpp"
#include "format.hpp"
#include "hypercall.hpp"
#include "m2p.hpp"

namespace kernel::console {
namespace {

xencons_interface* g_ring = nullptr;
void (*g_before_write)() = nullptr;
evtchn_port_t g_port = 0;

// Bounds the waits below: a console that nobody drains must not hang the kernel forever.
constexpr unsigned kMaxYields = 200000;

void put_raw(const char* text, size_t length) {
    if (g_ring == nullptr) {
        // Before init (or if it failed): Xen's emergency console.  A release build of Xen
        // drops these writes from a domU, so this only helps on a debug hypervisor.
        hv::console_io(CONSOLEIO_write, static_cast<int>(length), text);
        return;
    }
    unsigned yields = 0;
    while (length > 0) {
        ring::Index prod = g_ring->out_prod;
        ring::Index cons = __atomic_load_n(&g_ring->out_cons, __ATOMIC_ACQUIRE);
        size_t n = ring::write(g_ring->out, sizeof g_ring->out, prod, cons, text, length);
        if (n > 0) {
            // The bytes must be visible before the new producer index (io/ring.h's wmb()).
            __atomic_store_n(&g_ring->out_prod, prod, __ATOMIC_RELEASE);
            text += n;
            length -= n;
            yields = 0;
        }
        hv::notify(g_port);
        if (length > 0) {
            if (++yields > kMaxYields) return;  // nobody is reading: drop rather than hang
            hv::yield();
        }
    }
}

// printf's output is gathered here and written in one piece: vformat hands over a format
// string a few bytes at a time (each literal run, each conversion, each padding space), and a
// write per piece was a notification per piece.
struct Pending {
    char data[256];
    size_t used = 0;
};

void buffer_sink(void* context, const char* text, size_t length) {
    auto* p = static_cast<Pending*>(context);
    while (length > 0) {
        if (p->used == sizeof p->data) {
            write(p->data, p->used);
            p->used = 0;
        }
        size_t room = sizeof p->data - p->used;
        size_t n = length < room ? length : room;
        for (size_t i = 0; i < n; ++i) p->data[p->used + i] = text[i];
        p->used += n;
        text += n;
        length -= n;
    }
}

}  // namespace

void init(const start_info& si) {
    // console.domU.mfn is a machine frame; the machine-to-phys table gives our pseudo-physical
    // frame for it, which the bootstrap mapping (VIRT_BASE 0) puts at pfn * 4096.
    Pfn pfn = m2p::lookup(Mfn{si.console.domU.mfn});
    g_ring = pfn_to_virt(pfn).as<xencons_interface>();
    g_port = si.console.domU.evtchn;
}

void set_before_write(void (*hook)()) { g_before_write = hook; }

void write(const char* text, size_t length) {
    if (auto hook = g_before_write) {
        g_before_write = nullptr;  // the hook itself writes
        hook();
        g_before_write = hook;
    }
    // "\n" becomes "\r\n" in a buffer, so that the ring -- and xenconsoled's notification -- is
    // reached once per buffer rather than twice per line: xenconsoled serves a guest at most 30
    // notifications per 200 ms (RATE_LIMIT_ALLOWANCE and RATE_LIMIT_PERIOD in Xen's
    // tools/console/daemon/io.c) and leaves the ring alone for the rest of the period, so every
    // needless notification delays the output.
    char buf[256];
    size_t used = 0;
    for (size_t i = 0; i < length; ++i) {
        if (used + 2 > sizeof buf) {
            put_raw(buf, used);
            used = 0;
        }
        if (text[i] == '\n') buf[used++] = '\r';
        buf[used++] = text[i];
    }
    put_raw(buf, used);
}

void flush() {
    if (g_ring == nullptr) return;
    for (unsigned i = 0; i < kMaxYields; ++i) {
        if (__atomic_load_n(&g_ring->out_cons, __ATOMIC_ACQUIRE) == g_ring->out_prod) return;
        hv::notify(g_port);
        hv::yield();
    }
}

size_t read_input(char* out, size_t n) {
    // [book:read-input]
    if (g_ring == nullptr) return 0;
    // io/console.h's ring protocol, the reading side (as Linux's hvc_xen and Mini-OS do): load
    // the producer, then a read barrier before the bytes, so that no byte is read before
    // xenconsoled's write of it is visible ...
    ring::Index cons = g_ring->in_cons;
    ring::Index prod = __atomic_load_n(&g_ring->in_prod, __ATOMIC_ACQUIRE);
    size_t got = ring::read(g_ring->in, sizeof g_ring->in, prod, cons, out, n);
    if (got == 0) return 0;
    // ... and a full barrier before the new consumer index, so that xenconsoled cannot
    // overwrite bytes that are still being copied out.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&g_ring->in_cons, cons, __ATOMIC_RELEASE);
    hv::notify(g_port);  // room in the ring: xenconsoled may be holding more input back
    return got;
    // [book:read-input-end]
}

evtchn_port_t port() { return g_port; }

void vprintf(const char* fmt, va_list args) {
    Pending pending;
    vformat(buffer_sink, &pending, fmt, args);
    write(pending.data, pending.used);
}

void printf(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
}

}  // namespace kernel::console
