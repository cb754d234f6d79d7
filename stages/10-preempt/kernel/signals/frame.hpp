// The signal frame a handler finds on its stack: Linux's x86-64 layout, byte for byte, because
// Go's runtime reads and changes it (runtime/defs_linux_amd64.go: siginfo, sigcontext,
// ucontext; signal_linux_amd64.go: sigctxt), exactly as it would under Linux.
//
// Linux builds it in arch/x86/kernel/signal.c (__setup_rt_frame): at the new stack pointer the
// return address (sa_restorer), then struct ucontext, then struct siginfo; the FPU state sits
// above them, 64-byte aligned, and uc_mcontext.fpstate points at it.  The handler is entered as
// if called: rsp + 8 is 16-byte aligned, rdi = signal, rsi = &info, rdx = &uc.
// Book: chapter 09-signals (book/stages/09-signals.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::signals {

// struct sigcontext (arch/x86/include/uapi/asm/sigcontext.h, the 64-bit one).
struct SigContext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;  // address of the FXSAVE image (struct _fpstate_64)
    uint64_t reserved[8];
};

// stack_t (include/uapi/asm-generic/signal.h).
struct StackT {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

// struct ucontext (arch/x86/include/uapi/asm/ucontext.h) with the kernel's 64-bit sigset_t.
struct UContext {
    uint64_t flags;
    uint64_t link;
    StackT stack;
    SigContext mcontext;
    uint64_t sigmask;
};

// siginfo_t for a fault (include/uapi/asm-generic/siginfo.h): 128 bytes, si_addr at 16.
struct SigInfo {
    int32_t signo, errno_, code, pad;
    uint64_t addr;
    uint8_t rest[128 - 24];
};

struct RtSigframe {
    uint64_t pretcode;  // the handler's return address: sa_restorer
    UContext uc;
    SigInfo info;
};

// The FXSAVE area (Intel SDM vol. 1, 10.5.1): 512 bytes, 16-byte aligned.
inline constexpr size_t kFxsaveBytes = 512;

// Offsets Go's runtime relies on (defs_linux_amd64.go), checked here and in the host tests.
static_assert(sizeof(SigContext) == 256);
static_assert(offsetof(SigContext, rsp) == 120 && offsetof(SigContext, rip) == 128);
static_assert(offsetof(SigContext, fpstate) == 184);
static_assert(sizeof(StackT) == 24);
static_assert(offsetof(UContext, mcontext) == 40 && offsetof(UContext, sigmask) == 296);
static_assert(sizeof(SigInfo) == 128 && offsetof(SigInfo, addr) == 16);
static_assert(offsetof(RtSigframe, uc) == 8 && offsetof(RtSigframe, info) == 8 + sizeof(UContext));

// si_code values (include/uapi/asm-generic/siginfo.h) and sa_flags (arch/x86/include/uapi/
// asm/signal.h) that delivery uses.
// SEGV_MAPERR, SEGV_ACCERR, ILL_ILLOPN, FPE_INTDIV, SI_KERNEL, SI_TKILL; SA_SIGINFO, SA_ONSTACK,
// SA_RESTORER, SA_NODEFER; SS_ONSTACK, SS_DISABLE (numbers.hpp says why not those names).
inline constexpr int kSegvMaperr = 1, kSegvAccerr = 2, kIllIllopn = 2, kFpeIntdiv = 1, kSiKernel = 0x80,
                     kSiTkill = -6;
inline constexpr uint64_t kSaSiginfo = 4, kSaOnstack = 0x08000000, kSaRestorer = 0x04000000,
                          kSaNodefer = 0x40000000;
inline constexpr int kSsOnstack = 1, kSsDisable = 2;

// Where the frame goes and what it holds, computed without touching memory (host-testable):
// stack_top is where the frame may grow down from (the alternate stack's top, or the
// interrupted rsp less the 128-byte red zone).
struct Layout {
    uint64_t frame;    // the new rsp: &RtSigframe (rsp + 8 is 16-byte aligned)
    uint64_t fpstate;  // the FXSAVE image, 64-byte aligned, above the frame
};
inline Layout layout(uint64_t stack_top) {
    uint64_t fp = (stack_top - kFxsaveBytes) & ~uint64_t{63};
    uint64_t frame = ((fp - sizeof(RtSigframe)) & ~uint64_t{15}) - 8;
    return Layout{frame, fp};
}

}  // namespace kernel::signals
