// What a frontend needs of xenstore, as an interface: the kernel's client (xenbus/xenstore.hpp)
// implements it over the shared ring, the host tests with a scripted backend.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::xenbus {

// nullptr: success.  Otherwise what went wrong, as a string: xenstored's own error name
// ("ENOENT", "EACCES", "EAGAIN", ... from xs_wire.h's xsd_errors) or the client's ("no reply
// from xenstored", "reply does not fit").
using Error = const char*;

// Transaction id 0: outside any transaction.
inline constexpr uint32_t kNoTransaction = 0;

class Store {
public:
    // The node's value, NUL-terminated, in out.
    virtual Error read(uint32_t tx, const char* path, char* out, size_t size) = 0;
    virtual Error write(uint32_t tx, const char* path, const char* value) = 0;
    // The node's children as NUL-separated names; *length: bytes used.
    virtual Error directory(uint32_t tx, const char* path, char* out, size_t size, size_t* length) = 0;
    virtual Error transaction_start(uint32_t* tx) = 0;
    // commit false: abort.  "EAGAIN": somebody else changed what we read; start again.
    virtual Error transaction_end(uint32_t tx, bool commit) = 0;
    // Xenstored fires a watch once when it is set, then on every change under `path`.
    virtual Error watch(const char* path, const char* token) = 0;
    virtual Error unwatch(const char* path, const char* token) = 0;
    // Waits for the next watch event until the deadline (system time, ns); false on timeout.
    virtual bool wait_watch(uint64_t deadline_ns, char* path, size_t size) = 0;
    virtual uint64_t now_ns() = 0;

protected:
    ~Store() = default;
};

}  // namespace kernel::xenbus
