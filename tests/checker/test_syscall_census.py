"""tools/syscall-census.py counts every form of the kernel's system-call log line."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "syscall_census", Path(__file__).resolve().parents[2] / "tools" / "syscall-census.py")
census_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(census_mod)

LOG = """\
[rt0] .init_array[0] = _rt0_amd64_linux_lib(argc 1, argv, envp)
[libc sigaction] rt_sigaction(SIGHUP, NULL, vaddr <vaddr>, 8) = -ENOSYS (not implemented)
[libc sigaction]   ... and 62 more rt_sigaction calls like it, each = -ENOSYS
[libc] pthread_create: thread 3 "_rt0_amd64_lib_go", 256 KiB stack
[syscall] sched_getaffinity(0, 8192, vaddr <vaddr>) = -ENOSYS (not implemented)
[libc mmap] mmap(0x0, 0x40000 (256 KiB), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0) = 0x7efffffc0000 (committed)
[syscall] write(2, "fatal error: runtime: cannot allocate memory\\n") in 3 calls, each = -ENOSYS (not implemented)
[syscall] write(2, "\\n") in 1 call, each = -ENOSYS (not implemented)
[syscall] clock_gettime(1, vaddr <vaddr>) = -ENOSYS (not implemented)
[syscall]   ... and 13 more clock_gettime calls like it, each = -ENOSYS
[syscall] exit_group(2): the Go program exits with status 2
"""


def test_counts_each_form():
    counts = census_mod.census(LOG.splitlines())
    assert counts[("libc sigaction", "rt_sigaction")] == 63
    assert counts[("syscall", "sched_getaffinity")] == 1
    assert counts[("libc mmap", "mmap")] == 1
    assert counts[("syscall", "write")] == 4
    assert counts[("syscall", "clock_gettime")] == 14
    assert counts[("syscall", "exit_group")] == 1
    assert sum(counts.values()) == 84


def test_ignores_other_kernel_lines():
    counts = census_mod.census(["[libc] pthread_create: thread 3", "[rt0] argv  \"goapp\"", "memory: 8192 frames"])
    assert not counts
