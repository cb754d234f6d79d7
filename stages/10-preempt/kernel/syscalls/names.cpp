// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "names.hpp"

#include "errno.hpp"

namespace kernel::syscalls {
namespace {

struct Name {
    long value;
    const char* name;
};

constexpr Name kErrno[] = {
    {kEPERM, "EPERM"},     {kENOENT, "ENOENT"},   {kESRCH, "ESRCH"},     {kEINTR, "EINTR"},
    {kEIO, "EIO"},         {kEBADF, "EBADF"},     {kECHILD, "ECHILD"},   {kEAGAIN, "EAGAIN"},
    {kENOMEM, "ENOMEM"},   {kEACCES, "EACCES"},   {kEFAULT, "EFAULT"},   {kEBUSY, "EBUSY"},
    {kEEXIST, "EEXIST"},   {kENODEV, "ENODEV"},   {kEINVAL, "EINVAL"},   {kEMFILE, "EMFILE"},
    {kENOTTY, "ENOTTY"},   {kENOSPC, "ENOSPC"},   {kESPIPE, "ESPIPE"},   {kEPIPE, "EPIPE"},
    {kERANGE, "ERANGE"},   {kENOSYS, "ENOSYS"},   {kEMSGSIZE, "EMSGSIZE"}, {kETIMEDOUT, "ETIMEDOUT"},
};

constexpr const char* kSignals[32] = {
    nullptr,   "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",  "SIGSYS",
};

constexpr const char* kRealtime[33] = {
    "SIGRT0",  "SIGRT1",  "SIGRT2",  "SIGRT3",  "SIGRT4",  "SIGRT5",  "SIGRT6",  "SIGRT7",
    "SIGRT8",  "SIGRT9",  "SIGRT10", "SIGRT11", "SIGRT12", "SIGRT13", "SIGRT14", "SIGRT15",
    "SIGRT16", "SIGRT17", "SIGRT18", "SIGRT19", "SIGRT20", "SIGRT21", "SIGRT22", "SIGRT23",
    "SIGRT24", "SIGRT25", "SIGRT26", "SIGRT27", "SIGRT28", "SIGRT29", "SIGRT30", "SIGRT31",
    "SIGRT32",
};

}  // namespace

const char* errno_name(long err) {
    for (const Name& n : kErrno)
        if (n.value == err) return n.name;
    return nullptr;
}

const char* signal_name(uint64_t sig) {
    if (sig >= 1 && sig < 32) return kSignals[sig];
    if (sig >= 32 && sig <= 64) return kRealtime[sig - 32];
    return nullptr;
}

}  // namespace kernel::syscalls
