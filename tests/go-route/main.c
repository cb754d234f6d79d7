// go-route: proves on a Linux host that a Go c-archive built with a stage's patched GOROOT makes
// every system call through the kernel entry unigornel_syscall, and none with a raw SYSCALL.
//
//   1. Before the Go runtime starts (a constructor of priority 101 runs before the archive's
//      .init_array entry _rt0_amd64_linux_lib), install a seccomp filter that singles out every
//      system call whose instruction lies in this executable's text -- the Go code is there --
//      except those from entry.S (the entry itself) and rt_sigreturn (Go's signal restorer).
//      System calls made by glibc (pthread_create's clone, malloc's mmap, ...) come from libc.so
//      and pass: in the Unigornel kernel they are the kernel's own libc.
//   2. A singled-out call is a bypass.  The filter returns SECCOMP_RET_USER_NOTIF for it: a
//      supervisor thread receives the notification, records the number and the site, and lets
//      the call go ahead (SECCOMP_USER_NOTIF_FLAG_CONTINUE), so that even an unpatched program
//      runs to its end and the report names every bypass.  (A SIGSYS trap would not do: Go
//      starts its threads with every signal blocked, and a blocked SIGSYS kills the process.)
//   3. The Go code (go/main.go, RouteMain) exercises files, time, threads, the netpoller, ...;
//      entry.S counts each system call by number.
//   4. main prints the counts and the bypasses and passes when there are no bypasses and the
//      expected calls were counted.
//
// The constructor also hides the vDSO from the Go runtime (AT_SYSINFO_EHDR becomes AT_IGNORE in
// the auxiliary vector, after glibc has read it), as in the Unigornel kernel, which passes no
// vDSO: clock_gettime and gettimeofday then take the runtime's and package syscall's SYSCALL
// fallbacks, which the patches route, instead of the vDSO.
//
// Usage: go-route                   exit 0: routed completely; 1: bypasses or missing calls;
//                                   77: seccomp user notification unavailable, nothing proven
//        go-route --expect-bypass   for an archive built with an unpatched GOROOT: exit 0 only
//                                   when bypasses were caught (the detector works)
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libgoroute.h"
#include "syscall_names.h"

#define NSYSCALLS 512 // entry.S counts numbers below this, the rest in route_count_other

// --- Shared with entry.S ---------------------------------------------------------------------
unsigned long route_counts[NSYSCALLS];
unsigned long route_count_other;
unsigned long route_calls_before_filter;
unsigned char route_filter_installed;
extern char route_allowed_begin[], route_allowed_end[];

// From GNU ld's default linker script: the start of the executable and the end of its text.
extern char __executable_start[], etext[];

// --- Bypasses: (site, number) pairs reported by the filter -----------------------------------
// The key packs the address of the SYSCALL instruction (user addresses fit in 48 bits) with the
// system-call number, so that one site serving many numbers (Syscall6) shows each.  Written by
// the supervisor thread only.
#define MAX_BYPASS 128
static struct {
	uint64_t key;
	unsigned long count;
} bypasses[MAX_BYPASS];
static unsigned long bypass_overflow;

static void record_bypass(uintptr_t site, int nr)
{
	uint64_t key = (uint64_t)site | ((uint64_t)(nr & 0xffff) << 48);
	for (int i = 0; i < MAX_BYPASS; i++) {
		if (bypasses[i].key == 0)
			__atomic_store_n(&bypasses[i].key, key, __ATOMIC_RELEASE);
		if (bypasses[i].key == key) {
			__atomic_add_fetch(&bypasses[i].count, 1, __ATOMIC_RELEASE);
			return;
		}
	}
	__atomic_add_fetch(&bypass_overflow, 1, __ATOMIC_RELEASE);
}

// The supervisor: records each notified call and lets it continue as if nothing happened.
static void *supervise(void *arg)
{
	int listener = (int)(intptr_t)arg;
	for (;;) {
		struct seccomp_notif req;
		memset(&req, 0, sizeof req); // the kernel insists on a zeroed request
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			perror("go-route: supervisor: SECCOMP_IOCTL_NOTIF_RECV");
			close(listener); // bypasses now fail with ENOSYS instead of waiting forever
			return NULL;
		}
		record_bypass((uintptr_t)req.data.instruction_pointer - 2, req.data.nr);
		struct seccomp_notif_resp resp = {.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno == EINVAL) {
			// A kernel before 5.5 cannot continue the call: fail it, the bypass is recorded.
			resp.flags = 0;
			resp.error = -ENOSYS;
			ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		} // ENOENT: the caller died meanwhile
	}
}

// --- The seccomp filter ----------------------------------------------------------------------
// Classic BPF loads 32-bit words: a 64-bit instruction pointer is compared as a (high, low)
// pair.  A tiny assembler with forward labels keeps the program readable.
#define MAX_INSNS 64
#define MAX_LABELS 16
struct bpf_builder {
	struct sock_filter insn[MAX_INSNS];
	int jt[MAX_INSNS], jf[MAX_INSNS]; // label numbers; 0 = the next instruction
	int label_at[MAX_LABELS], labels, n;
};

static int new_label(struct bpf_builder *b) { return ++b->labels; }
static void place(struct bpf_builder *b, int label) { b->label_at[label] = b->n; }

static void emit(struct bpf_builder *b, uint16_t code, uint32_t k, int jt, int jf)
{
	b->insn[b->n] = (struct sock_filter)BPF_STMT(code, k);
	b->jt[b->n] = jt;
	b->jf[b->n] = jf;
	b->n++;
}

#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (IP_LO + 4)

// if (instruction_pointer < v) goto yes;
static void emit_ip_below(struct bpf_builder *b, uint64_t v, int yes)
{
	int no = new_label(b);
	emit(b, BPF_LD | BPF_W | BPF_ABS, IP_HI, 0, 0);
	emit(b, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)(v >> 32), no, 0);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(v >> 32), 0, yes);
	emit(b, BPF_LD | BPF_W | BPF_ABS, IP_LO, 0, 0);
	emit(b, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)v, no, yes);
	place(b, no);
}

// Resolve labels into the relative offsets of conditional jumps (8 bits) and BPF_JA (k).
static int link_filter(struct bpf_builder *b)
{
	for (int i = 0; i < b->n; i++) {
		if (BPF_CLASS(b->insn[i].code) != BPF_JMP)
			continue;
		int t = (b->jt[i] ? b->label_at[b->jt[i]] : i + 1) - i - 1;
		int f = (b->jf[i] ? b->label_at[b->jf[i]] : i + 1) - i - 1;
		if (t < 0 || f < 0 || t > 255 || f > 255)
			return -1;
		if (BPF_OP(b->insn[i].code) == BPF_JA)
			b->insn[i].k = t;
		else {
			b->insn[i].jt = t;
			b->insn[i].jf = f;
		}
	}
	return 0;
}

// Notify unless the call comes from outside this executable's text or from entry.S; let
// rt_sigreturn through from anywhere.
static int build_filter(struct bpf_builder *b)
{
	// The instruction pointer is the address after the 2-byte SYSCALL: shift each range by 2.
	uint64_t exe_lo = (uintptr_t)__executable_start + 2, exe_hi = (uintptr_t)etext + 2;
	uint64_t ok_lo = (uintptr_t)route_allowed_begin + 2, ok_hi = (uintptr_t)route_allowed_end + 2;
	memset(b, 0, sizeof *b);
	int allow = new_label(b), bypass = new_label(b), in_exe = new_label(b);
	emit(b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, allow);
	emit(b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, allow, 0);
	emit_ip_below(b, exe_lo, allow);  // below the executable: shared libraries, vDSO, ...
	emit_ip_below(b, exe_hi, in_exe);
	emit(b, BPF_JMP | BPF_JA, 0, allow, 0); // above the executable's text
	place(b, in_exe);
	emit_ip_below(b, ok_lo, bypass);
	emit_ip_below(b, ok_hi, allow); // entry.S: the kernel entry
	place(b, bypass);
	emit(b, BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF, 0, 0);
	place(b, allow);
	emit(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	return link_filter(b);
}

// --- Before the Go runtime: hide the vDSO, install the filter, start the supervisor ----------
static const char *seccomp_problem; // why the filter is missing, if it is
static int seccomp_errno;
static int threads_at_constructor = -1;
static int vdso_hidden;

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void fail_setup(const char *what)
{
	seccomp_problem = what;
	seccomp_errno = errno;
}

// glibc passes (argc, argv, envp) to the functions of .init_array; the auxiliary vector follows
// the environment on the initial stack, where Go's sysargs will read it.
__attribute__((constructor(101))) static void route_init(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	threads_at_constructor = count_threads();

	char **p = envp;
	while (*p)
		p++;
	for (Elf64_auxv_t *av = (Elf64_auxv_t *)(p + 1); av->a_type != AT_NULL; av++)
		if (av->a_type == AT_SYSINFO_EHDR) {
			av->a_type = AT_IGNORE;
			vdso_hidden = 1;
		}

	static struct bpf_builder b;
	if (build_filter(&b) < 0) {
		seccomp_problem = "building the BPF program (jump out of range)";
		return;
	}
	struct sock_fprog prog = {.len = (unsigned short)b.n, .filter = b.insn};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail_setup("prctl(PR_SET_NO_NEW_PRIVS)");
	// Only this thread exists (checked in main), so no TSYNC: every later thread inherits it.
	long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
	                        &prog);
	if (listener < 0)
		return fail_setup("seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER)");
	pthread_t t;
	if ((errno = pthread_create(&t, NULL, supervise, (void *)(intptr_t)listener)) != 0)
		return fail_setup("pthread_create(supervisor)");
	pthread_detach(t);
	__atomic_store_n(&route_filter_installed, 1, __ATOMIC_RELEASE);
}

// --- Naming sites: the executable's own symbol table -----------------------------------------
static struct {
	const Elf64_Sym *syms;
	size_t nsyms;
	const char *strs;
	intptr_t bias;
} symtab;

static void load_symtab(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return;
	const unsigned char *img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED)
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB) {
			symtab.syms = (const Elf64_Sym *)(img + sh[i].sh_offset);
			symtab.nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
			symtab.strs = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		}
	for (size_t i = 0; i < symtab.nsyms; i++)
		if (strcmp(symtab.strs + symtab.syms[i].st_name, "route_allowed_begin") == 0) // PIE
			symtab.bias = (intptr_t)route_allowed_begin - (intptr_t)symtab.syms[i].st_value;
}

static uintptr_t symbol_address(const char *name)
{
	for (size_t i = 0; i < symtab.nsyms; i++)
		if (strcmp(symtab.strs + symtab.syms[i].st_name, name) == 0)
			return symtab.syms[i].st_value + symtab.bias;
	return 0;
}

// "function+0xoff" for the text symbol at or before addr.
static void describe(uintptr_t addr, char *buf, size_t len)
{
	const Elf64_Sym *best = NULL;
	uintptr_t a = addr - symtab.bias;
	for (size_t i = 0; i < symtab.nsyms; i++) {
		const Elf64_Sym *s = &symtab.syms[i];
		int type = ELF64_ST_TYPE(s->st_info);
		if ((type != STT_FUNC && type != STT_NOTYPE) || s->st_shndx == SHN_UNDEF || !s->st_name ||
		    s->st_value > a)
			continue;
		if (s->st_size && a >= s->st_value + s->st_size)
			continue;
		if (!best || s->st_value > best->st_value)
			best = s;
	}
	if (best)
		snprintf(buf, len, "%s+0x%lx", symtab.strs + best->st_name, (unsigned long)(a - best->st_value));
	else
		snprintf(buf, len, "0x%lx", (unsigned long)addr);
}

static const char *syscall_name(int nr)
{
	if (nr >= 0 && (size_t)nr < sizeof syscall_names / sizeof syscall_names[0] && syscall_names[nr])
		return syscall_names[nr];
	return "?";
}

// --- Expectations ------------------------------------------------------------------------------
// System calls that the Go code makes on any Linux; each must have been counted by the entry.
// (rt_sigaction, mmap and munmap are absent on purpose: with cgo they go through the C library.)
static const int expected[] = {
	SYS_read, SYS_write, SYS_openat, SYS_close, SYS_futex, // files, stdout, thread parking
	SYS_clock_gettime, SYS_gettimeofday,                   // the vDSO fallbacks (patches 2, 3, 5)
	SYS_nanosleep,                                         // usleep (sysmon)
	SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_pwait,     // the netpoller, started by time.Sleep
	SYS_rt_sigprocmask, SYS_sigaltstack, SYS_gettid,       // minit of every M
	SYS_sched_getaffinity,                                 // osinit
	SYS_getpid,                                            // syscall.Getpid: rawSyscallNoError
	SYS_getrlimit, SYS_getcwd, SYS_uname,                  // syscall.Syscall* -> Syscall6
	SYS_mkdirat, SYS_unlinkat, SYS_getdents64,             // os.MkdirTemp, Remove, ReadDir
};

int main(int argc, char **argv)
{
	int expect_bypass = argc > 1 && strcmp(argv[1], "--expect-bypass") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("go-route: constructor ran with %d thread(s); vDSO %s for Go; seccomp filter %s\n",
	       threads_at_constructor, vdso_hidden ? "hidden" : "not found",
	       route_filter_installed ? "installed" : "MISSING");
	int failures = RouteMain();

	load_symtab();
	uintptr_t go_text = symbol_address("runtime.text"), go_etext = symbol_address("runtime.etext");
	printf("\ngo-route: Go text %#lx-%#lx, executable text %p-%p, entry.S %p-%p\n",
	       (unsigned long)go_text, (unsigned long)go_etext, (void *)__executable_start, (void *)etext,
	       (void *)route_allowed_begin, (void *)route_allowed_end);

	printf("\n%-5s %-22s %s\n", "nr", "system call", "calls through unigornel_syscall");
	unsigned long total = 0;
	for (int nr = 0; nr < NSYSCALLS; nr++) {
		unsigned long c = __atomic_load_n(&route_counts[nr], __ATOMIC_RELAXED);
		if (c) {
			printf("%-5d %-22s %lu\n", nr, syscall_name(nr), c);
			total += c;
		}
	}
	if (route_count_other)
		printf("%-5s %-22s %lu\n", ">=512", "?", route_count_other);
	printf("%-5s %-22s %lu\n", "", "total", total + route_count_other);

	unsigned long nbypass = 0;
	printf("\ngo-route: bypasses (raw system calls from the executable, reported by the seccomp filter):\n");
	for (int i = 0; i < MAX_BYPASS; i++) {
		uint64_t key = __atomic_load_n(&bypasses[i].key, __ATOMIC_ACQUIRE);
		if (!key)
			break;
		uintptr_t site = key & ((1ull << 48) - 1);
		int nr = (int)(key >> 48);
		char where[160];
		describe(site, where, sizeof where);
		printf("  BYPASS %-18s (%3d) x%-5lu at %s%s\n", syscall_name(nr), nr, bypasses[i].count,
		       where, go_text <= site && site < go_etext ? " [Go text]" : "");
		nbypass += bypasses[i].count;
	}
	if (bypass_overflow)
		printf("  ... and %lu more (table full)\n", bypass_overflow);
	nbypass += bypass_overflow;
	if (!nbypass)
		printf("  none\n");

	int missing = 0;
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		if (!route_counts[expected[i]]) {
			printf("go-route: expected %s (%d) through the entry, counted none\n",
			       syscall_name(expected[i]), expected[i]);
			missing++;
		}
	if (route_calls_before_filter)
		printf("go-route: %lu call(s) reached the entry before the filter was installed\n",
		       route_calls_before_filter);

	if (!route_filter_installed) {
		printf("\ngo-route: SKIP: cannot prove the routing: %s failed: %s.\n"
		       "go-route: needs seccomp filters with user notification that continues "
		       "(Linux >= 5.5, CONFIG_SECCOMP_FILTER).\n",
		       seccomp_problem, seccomp_errno ? strerror(seccomp_errno) : "-");
		return 77;
	}
	if (expect_bypass) {
		int ok = nbypass > 0;
		printf("\ngo-route: %s: %lu bypass(es) detected in an archive expected to have them\n",
		       ok ? "PASS" : "FAIL", nbypass);
		return ok ? 0 : 1;
	}
	int ok = nbypass == 0 && missing == 0 && failures == 0 && threads_at_constructor == 1 &&
	         route_calls_before_filter == 0;
	printf("\ngo-route: %s: %lu calls through the entry, %lu bypasses, %d expected call(s) missing, "
	       "%d Go check(s) failed\n",
	       ok ? "PASS" : "FAIL", total + route_count_other, nbypass, missing, failures);
	return ok ? 0 : 1;
}
