// exit and exit_group: how a Go program ends.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "../console.hpp"
#include "../panic.hpp"
#include "../scheduler.hpp"
#include "table.hpp"

namespace kernel::syscalls {

// exit(status) ends only the calling thread (Linux semantics).  Go's own exitThread never gets
// here (go-patches guard it: with cgo, threads end by returning from their pthread function).
long sys_exit(const Args& call) {
    flush_log();
    console::printf("[syscall] exit(%ld): thread %d \"%s\" ends\n", static_cast<long>(call.a[0]),
                    sched::current()->id, sched::current()->name);
    sched::exit_current();
}

// exit_group(status) ends the whole program: for a unikernel, the domain.  Go calls it from
// os.Exit and after a fatal error ("fatal error: ..." then exit(2)).
long sys_exit_group(const Args& call) {
    long status = static_cast<long>(static_cast<int>(call.a[0]));
    flush_log();
    console::printf("[syscall] exit_group(%ld): the Go program exits with status %ld\n", status, status);
    if (status == 0) poweroff_domain();
    crash_domain();
}

}  // namespace kernel::syscalls
