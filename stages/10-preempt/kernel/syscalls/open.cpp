// openat and fstat: the kernel has no file system, only devices.  /dev/vif0 is the network
// card (net/netfront.hpp), a character device like Linux's TAP: one read, one frame.  Every
// other path does not exist -- Go's runtime asks for
// /sys/kernel/mm/transparent_hugepage/hpage_pmd_size at start-up and takes ENOENT in its stride.
// Book: chapter 08-ping (book/stages/08-ping.md).
#include "../net/netfront.hpp"
#include "../string.hpp"
#include "errno.hpp"
#include "files.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

using fd::FdEntry;
using fd::FdKind;

constexpr const char* kNetDevice = "/dev/vif0";

// Linux's struct stat on x86-64 (arch/x86/include/uapi/asm/stat.h): 144 bytes.
struct Stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t times[6];  // atime, mtime, ctime: seconds and nanoseconds each
    int64_t unused[3];
};
static_assert(sizeof(Stat) == 144, "Linux x86-64 struct stat is 144 bytes");

// include/uapi/linux/stat.h
constexpr uint32_t S_IFIFO = 0010000, S_IFCHR = 0020000;

}  // namespace

// openat(dirfd, path, flags, mode)
long sys_openat(const Args& c) {
    const char* path = reinterpret_cast<const char*>(c.a[1]);
    uint32_t flags = static_cast<uint32_t>(c.a[2]);
    if (!path) return -kEFAULT;
    if (strcmp(path, kNetDevice) != 0 || !net::present()) return -kENOENT;
    return file_table().allocate(FdKind::NetDevice, nullptr, flags & (fd::O_ACCMODE | fd::O_NONBLOCK | fd::O_CLOEXEC));
}

// fstat(fd, statbuf): every descriptor here is a character device or a pipe end.
long sys_fstat(const Args& c) {
    FdEntry* e = file_table().get(static_cast<int>(c.a[0]));
    auto* out = reinterpret_cast<Stat*>(c.a[1]);
    if (!e) return -kEBADF;
    if (!out) return -kEFAULT;
    *out = Stat{};
    out->nlink = 1;
    out->blksize = 4096;
    switch (e->kind) {
        case FdKind::PipeRead:
        case FdKind::PipeWrite: out->mode = S_IFIFO | 0600; break;
        case FdKind::Epoll: out->mode = 0600; break;  // Linux: an anonymous inode, no file type bits
        default: out->mode = S_IFCHR | 0620; break;   // the console, /dev/vif0
    }
    return 0;
}

}  // namespace kernel::syscalls
