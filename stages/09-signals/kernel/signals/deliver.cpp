// Book: chapter 09-signals (book/stages/09-signals.md).
#include "deliver.hpp"

#include "../panic.hpp"
#include "../scheduler.hpp"
#include "../string.hpp"
#include "action.hpp"
#include "sigset.hpp"

namespace kernel::signals {
namespace {

constexpr uint64_t kRedZone = 128;                  // the System V ABI's, below an interrupted rsp
constexpr uint64_t RFLAGS_TF = 0x100, RFLAGS_DF = 0x400;

// Builds the frame of signal sig (siginfo `info`) for thread t, interrupted as *f, on its
// signal stack, and points *f at the handler, so that the return from the trap enters it.
// The checks (a handler, SA_SIGINFO and SA_RESTORER, not blocked) are the caller's.
void enter_handler(Thread* t, traps::TrapFrame* f, const KernelSigaction& act, int sig, const SigInfo& info,
                   uint64_t cr2) {
    // The alternate stack (sigaltstack; Go sets its gsignal stack on every thread) unless the
    // thread is already on it, as Linux does (get_sigframe).
    uint64_t alt_end = t->altstack_sp + t->altstack_size;
    bool on_alt = t->altstack_size != 0 && f->rsp > t->altstack_sp && f->rsp <= alt_end;
    bool use_alt = (act.flags & kSaOnstack) && !(t->altstack_flags & kSsDisable) && t->altstack_size != 0 && !on_alt;
    Layout where = layout(use_alt ? alt_end : f->rsp - kRedZone);
    auto* frame = reinterpret_cast<RtSigframe*>(where.frame);

    memset(frame, 0, sizeof *frame);
    frame->pretcode = act.restorer;
    frame->uc.stack = StackT{t->altstack_sp, t->altstack_flags | (on_alt ? kSsOnstack : 0), 0, t->altstack_size};
    SigContext& sc = frame->uc.mcontext;
    sc.r8 = f->r8, sc.r9 = f->r9, sc.r10 = f->r10, sc.r11 = f->r11, sc.r12 = f->r12, sc.r13 = f->r13;
    sc.r14 = f->r14, sc.r15 = f->r15, sc.rdi = f->rdi, sc.rsi = f->rsi, sc.rbp = f->rbp, sc.rbx = f->rbx;
    sc.rdx = f->rdx, sc.rax = f->rax, sc.rcx = f->rcx, sc.rsp = f->rsp, sc.rip = f->rip;
    sc.eflags = f->rflags;
    sc.cs = static_cast<uint16_t>(f->cs), sc.ss = static_cast<uint16_t>(f->ss);
    sc.err = f->error_code, sc.trapno = f->vector, sc.cr2 = cr2;
    sc.oldmask = t->signal_mask;
    sc.fpstate = where.fpstate;
    // Kernel-private, in the words Linux reserves: Xen's full CS and SS slots (the saved
    // event-upcall mask rides in bits 32+ of CS), for the HYPERVISOR_iret of rt_sigreturn.
    sc.reserved[0] = f->cs, sc.reserved[1] = f->ss;
    frame->uc.sigmask = t->signal_mask;
    // The interrupted code's x87/SSE registers: the kernel never touches them
    // (-mgeneral-regs-only), the Go handler will.
    asm volatile("fxsave64 (%0)" : : "r"(where.fpstate) : "memory");
    frame->info = info;

    t->signal_mask = mask_in_handler(t->signal_mask, act.mask, sig, (act.flags & kSaNodefer) != 0);

    // [book:enter-handler]
    // Enter the handler as a call: handler(sig, &info, &uc), returning to sa_restorer.
    f->rip = act.handler;
    f->rsp = where.frame;
    f->rdi = static_cast<uint64_t>(sig);
    f->rsi = reinterpret_cast<uint64_t>(&frame->info);
    f->rdx = reinterpret_cast<uint64_t>(&frame->uc);
    f->rax = 0;
    f->rflags &= ~(RFLAGS_TF | RFLAGS_DF);  // the ABI's direction flag clear, as Linux enters handlers
    // [book:enter-handler-end]
}

bool can_run_handler(const KernelSigaction& act) {
    return act.handler != kSigDefault && act.handler != kSigIgnore && (act.flags & kSaSiginfo) && (act.flags & kSaRestorer);
}

}  // namespace

bool deliver_fault(traps::TrapFrame* f, int sig, int code, uint64_t addr, const char** why) {
    // lab 09-signals begin: signals::deliver_fault
    Thread* t = sched::current();
    if (t == nullptr) {
        *why = "no thread is running yet";
        return false;
    }
    const KernelSigaction& act = action_of(sig);
    if (act.handler == kSigDefault || act.handler == kSigIgnore) {  // a fault with either kills (Linux: force_sig)
        *why = "the program has no handler for it";
        return false;
    }
    if (!can_run_handler(act)) {
        *why = "its handler was not installed with SA_SIGINFO and SA_RESTORER";
        return false;
    }
    if (t->signal_mask & sigbit(sig)) {
        *why = "the thread has it blocked (a fault inside its own handler?)";
        return false;
    }
    if (f->rsp > reinterpret_cast<uint64_t>(t->syscall_stack.base) && f->rsp <= t->syscall_stack_top) {
        *why = "the fault is in the kernel's own code (a system call), not in Go's";
        return false;
    }
    SigInfo info{};
    info.signo = sig, info.code = code, info.addr = addr;
    enter_handler(t, f, act, sig, info, addr);
    return true;
    // lab 09-signals end
}

}  // namespace kernel::signals

extern "C" const kernel::signals::SigContext* signal_return(uint64_t ucontext) {
    using namespace kernel;
    using namespace kernel::signals;
    auto* uc = reinterpret_cast<UContext*>(ucontext);
    if (ucontext % 8 != 0 || uc->mcontext.reserved[0] == 0)
        panic("rt_sigreturn with no signal frame at 0x%lx (called other than from a handler's return?)", ucontext);
    Thread* t = sched::current();
    t->signal_mask = uc->sigmask & ~kUnblockable;
    if (uint64_t fp = uc->mcontext.fpstate; fp != 0 && fp % 16 == 0)
        asm volatile("fxrstor64 (%0)" : : "r"(fp) : "memory");
    return &uc->mcontext;
}
