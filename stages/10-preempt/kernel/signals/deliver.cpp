// Book: chapters 09-signals and 10-preempt (book/stages/09-signals.md, book/stages/10-preempt.md).
#include "deliver.hpp"

#include "../panic.hpp"
#include "../scheduler.hpp"
#include "../string.hpp"
#include "action.hpp"
#include "numbers.hpp"
#include "pending.hpp"

namespace kernel::signals {
namespace {

constexpr uint64_t kRedZone = 128;                  // the System V ABI's, below an interrupted rsp
constexpr uint64_t RFLAGS_TF = 0x100, RFLAGS_DF = 0x400;
uint64_t g_async_delivered = 0;  // sent with kill, tkill or tgkill
uint64_t g_urg_delivered = 0;    // of those, SIGURG: Go's preemption requests

// Builds the frame of signal sig (siginfo `info`) for thread t, interrupted as *f, on its
// signal stack, and points *f at the handler, so that the return from the trap or upcall
// enters it.
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
    bool trap = f->vector < 32;  // not an upcall (preempt.hpp: kUpcallGo) or a system call's exit
    sc.err = trap ? f->error_code : 0, sc.trapno = trap ? f->vector : 0, sc.cr2 = cr2;
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

uint64_t delivered_async() { return g_async_delivered; }
uint64_t delivered_urg() { return g_urg_delivered; }

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

int deliver_pending(traps::TrapFrame* f) {
    // lab 10-preempt begin: signals::deliver_pending
    Thread* t = sched::current();
    int sig = next_signal(t->pending_signals, t->signal_mask);
    if (sig == 0) return 0;
    t->pending_signals &= ~sigbit(sig);
    const KernelSigaction& act = action_of(sig);
    // send (send.cpp) already carried out a default action that kills and dropped ignored
    // signals; a handler removed since the signal was sent drops it now.
    if (!can_run_handler(act)) return 0;
    // siginfo of a signal sent with tgkill: SI_TKILL, and the sender's pid and uid in the
    // words where a fault has its address (include/uapi/asm-generic/siginfo.h, _kill).
    SigInfo info{};
    info.signo = sig, info.code = kSiTkill, info.addr = uint64_t{1};  // si_pid 1, si_uid 0
    enter_handler(t, f, act, sig, info, 0);
    ++g_async_delivered;
    if (sig == kSigurg) ++g_urg_delivered;
    return sig;
    // lab 10-preempt end
}

}  // namespace kernel::signals

extern "C" int signal_waiting() {
    using namespace kernel;
    Thread* t = sched::current();
    return t != nullptr && signals::next_signal(t->pending_signals, t->signal_mask) != 0;
}

extern "C" void deliver_on_syscall_exit(kernel::traps::TrapFrame* f) { kernel::signals::deliver_pending(f); }

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
