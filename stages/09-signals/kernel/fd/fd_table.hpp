// File descriptors: what each small integer Go passes to read/write/close stands for.
//
// 0, 1 and 2 are the PV console (Go's os.Stdin/Stdout/Stderr); pipes and epoll instances get
// the lowest free numbers above, as on Linux.  The objects behind them live in the kernel heap.
// Book: chapter 06-hello (book/stages/06-hello.md).
#pragma once

#include <stdint.h>

namespace kernel::fd {

// NetDevice: /dev/vif0, the network card as a TAP-like character device.
enum class FdKind : uint8_t { Free, Console, PipeRead, PipeWrite, Epoll, NetDevice };

// Linux's open flags that matter here (include/uapi/asm-generic/fcntl.h).
inline constexpr uint32_t O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3, O_NONBLOCK = 0x800,
                          O_CLOEXEC = 0x80000;

struct FdEntry {
    FdKind kind = FdKind::Free;
    void* object = nullptr;
    uint32_t flags = 0;  // O_NONBLOCK, O_CLOEXEC and the access mode
};

class FdTable {
public:
    static constexpr int kMax = 64;

    // 0, 1, 2: the console.
    void init();
    // The lowest free descriptor, or -EMFILE.
    int allocate(FdKind kind, void* object, uint32_t flags);
    // nullptr for a descriptor that is not open.
    FdEntry* get(int fd);
    void release(int fd);

private:
    FdEntry entries_[kMax];
};

}  // namespace kernel::fd
