// kernel::signals frame layout: Linux's x86-64 signal frame, as Go's runtime reads it.
//
// Go's runtime/defs_linux_amd64.go declares siginfo, sigcontext and ucontext for the frame
// Linux builds; Go's sighandler reads the registers there and sigpanic's injection writes rip
// and rsp back.  Every offset below is one Go (or Linux's uapi headers) uses.
#include "signals/frame.hpp"

#include <gtest/gtest.h>

#include <stddef.h>

namespace {

using namespace kernel::signals;

TEST(SignalFrame, SigcontextMatchesLinuxAndGo) {
    // arch/x86/include/uapi/asm/sigcontext.h, struct sigcontext (64-bit); Go's sigcontext.
    EXPECT_EQ(offsetof(SigContext, r8), 0u);
    EXPECT_EQ(offsetof(SigContext, r15), 56u);
    EXPECT_EQ(offsetof(SigContext, rdi), 64u);
    EXPECT_EQ(offsetof(SigContext, rbx), 88u);
    EXPECT_EQ(offsetof(SigContext, rax), 104u);
    EXPECT_EQ(offsetof(SigContext, rsp), 120u);
    EXPECT_EQ(offsetof(SigContext, rip), 128u);
    EXPECT_EQ(offsetof(SigContext, eflags), 136u);
    EXPECT_EQ(offsetof(SigContext, cs), 144u);
    EXPECT_EQ(offsetof(SigContext, err), 152u);
    EXPECT_EQ(offsetof(SigContext, trapno), 160u);
    EXPECT_EQ(offsetof(SigContext, cr2), 176u);
    EXPECT_EQ(offsetof(SigContext, fpstate), 184u);
    // arch/syscall_entry.S's rt_sigreturn reads Xen's full CS and SS slots from here.
    EXPECT_EQ(offsetof(SigContext, reserved), 192u);
    EXPECT_EQ(sizeof(SigContext), 256u);
}

TEST(SignalFrame, UcontextAndSiginfoMatchLinuxAndGo) {
    EXPECT_EQ(offsetof(UContext, stack), 16u);   // uc_stack
    EXPECT_EQ(offsetof(UContext, mcontext), 40u);  // uc_mcontext: Go's (*sigctxt).regs()
    EXPECT_EQ(offsetof(UContext, sigmask), 296u);  // the kernel's 64-bit uc_sigmask
    EXPECT_EQ(offsetof(SigInfo, signo), 0u);
    EXPECT_EQ(offsetof(SigInfo, code), 8u);        // Go: sigcode()
    EXPECT_EQ(offsetof(SigInfo, addr), 16u);       // Go: sigaddr(), si_addr
    EXPECT_EQ(sizeof(SigInfo), 128u);
    EXPECT_EQ(offsetof(RtSigframe, pretcode), 0u); // the handler's return address
    EXPECT_EQ(offsetof(RtSigframe, uc), 8u);       // what rt_sigreturn finds at rsp + 8
}

TEST(SignalFrame, LayoutEntersTheHandlerAsACallWithTheFpuStateAbove) {
    for (uint64_t top : {uint64_t{0x7f0000010000}, uint64_t{0xc000123458}, uint64_t{0x1000ff7}}) {
        Layout l = layout(top);
        EXPECT_EQ((l.frame + 8) % 16, 0u) << "rsp + 8 aligned, as after a CALL";
        EXPECT_EQ(l.fpstate % 64, 0u) << "FXSAVE wants 16, Linux gives 64";
        EXPECT_LE(l.frame + sizeof(RtSigframe), l.fpstate) << "frame below the FPU state";
        EXPECT_LE(l.fpstate + kFxsaveBytes, top) << "all below the top of the stack";
        EXPECT_GT(l.frame, top - 2048) << "and not far below it: " << top - l.frame << " bytes";
    }
}

TEST(SignalFrame, TheWholeFrameFitsTheRoomGoLeavesOnItsSignalStack) {
    // Go's gsignal stacks are 32 KiB (runtime/os_linux.go, mpreinit: malg(32 * 1024)).
    Layout l = layout(0x10000);
    EXPECT_EQ(0x10000 - l.frame, 968u) << "what book/stages/09-signals.md says a frame takes";
}

}  // namespace
