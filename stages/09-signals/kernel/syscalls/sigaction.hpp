// struct sigaction as the rt_sigaction system call takes it (arch/x86/include/uapi/asm/
// signal.h, with the 64-bit signal set of the system call, not libc's 1024-bit one).
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stdint.h>

namespace kernel::syscalls {

struct KernelSigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

// What rt_sigaction last set for signal sig (1..64); all zero (SIG_DFL) if nothing did.
const KernelSigaction& action_of(int sig);

// Makes sig pending for the program, as kill(getpid(), sig) does for a signal it has a
// handler for (stage 09: the console's ^C; the caller has checked the action).
void signal_process(int sig);

}  // namespace kernel::syscalls
