// What a frontend needs of xenstore, as an interface: the kernel's client (xenbus/xenstore.hpp)
// implements it over the shared ring, the host tests with a scripted backend.
// Book: chapter 08-ping (book/stages/08-ping.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::xenbus {

// What a xenstore request, or a step of a frontend's walk, came to: ok(), or a failure and its
// message -- xenstored's own error name ("ENOENT", "EACCES", "EAGAIN", ... from xs_wire.h's
// xsd_errors) or the client's ("no reply from xenstored", "reply does not fit").  Error{} is
// success.  [[nodiscard]]: a caller that drops the result gets a warning, not a silent success.
class [[nodiscard]] Error {
public:
    constexpr Error() = default;
    // A failure.  The message is not copied: a string literal, or xsd_errors' own entry.
    constexpr explicit Error(const char* message) : message_(message ? message : "unknown error") {}
    Error(decltype(nullptr)) = delete;  // success is Error{}, not a null message

    constexpr bool ok() const { return message_ == nullptr; }
    // What went wrong; "" for success.
    constexpr const char* message() const { return message_ ? message_ : ""; }
    // A failure with this message: xenstored's answer was `name` ("ENOENT", "EAGAIN").  The
    // compiler's strcmp, so that this header declares nothing the host's <string.h> does too.
    constexpr bool is(const char* name) const { return message_ != nullptr && __builtin_strcmp(message_, name) == 0; }

private:
    const char* message_ = nullptr;
};

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
