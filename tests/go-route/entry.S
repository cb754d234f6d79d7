// The host test's kernel entry: the Linux-process stand-in for the Unigornel kernel's
// unigornel_syscall (see stages/*/go-patches/README.md for the contract).
//
// Entered by CALL with the SYSCALL instruction's registers: rax = number, arguments in rdi, rsi,
// rdx, r10, r8, r9; result in rax; only rcx, r11 and the flags may change.  It counts the call
// per number and then executes the real SYSCALL on the caller's stack (a Linux process may; the
// kernel switches stacks instead).
//
// The SYSCALL between route_allowed_begin and route_allowed_end is the only one in the
// executable that the seccomp filter of main.c lets through unreported; one from anywhere else
// in the executable's text (the Go code above all) is a bypass.

#define NSYSCALLS 512

	.text
	.globl	route_allowed_begin
	.globl	route_allowed_end
	.globl	unigornel_syscall

route_allowed_begin:

	.type	unigornel_syscall, @function
unigornel_syscall:
	cmpb	$0, route_filter_installed(%rip)
	jne	1f
	lock incq route_calls_before_filter(%rip)
1:	cmpq	$NSYSCALLS, %rax
	jae	2f
	leaq	route_counts(%rip), %r11
	lock incq (%r11,%rax,8)
	jmp	3f
2:	lock incq route_count_other(%rip)
3:	syscall
	ret
	.size	unigornel_syscall, .-unigornel_syscall

route_allowed_end:

	.section .note.GNU-stack,"",@progbits
