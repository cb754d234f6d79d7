"""tools/syscall-census.py counts every form of the kernel's system-call log line.

The forms are the ones kernel/syscalls/log.cpp prints (stages 02-06):
  [<via>] name(args) = result [(not implemented)] [(note)]    one call; <via> is "syscall" for
                                                              Go's route, "libc <fn>" for the C library's
  [<via>]   ... and N more name calls like it, each = result  a batch of N more identical calls
  [syscall] write(fd, "text") in K call(s), each = result     K writes that made one line of text
"""
import pytest

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


def test_counts_each_form(census_tool):
    counts = census_tool.census(LOG.splitlines())
    assert counts[("libc sigaction", "rt_sigaction")] == 63
    assert counts[("syscall", "sched_getaffinity")] == 1
    assert counts[("libc mmap", "mmap")] == 1
    assert counts[("syscall", "write")] == 4
    assert counts[("syscall", "clock_gettime")] == 14
    assert counts[("syscall", "exit_group")] == 1
    assert sum(counts.values()) == 84


def test_ignores_other_kernel_lines(census_tool):
    counts = census_tool.census([
        "[libc] pthread_create: thread 3", "[rt0] argv  \"goapp\"", "memory: 8192 frames",
        "[syscall] signal 6 with its default action: the Go program is killed by it",
        "Hello World!", ""])
    assert not counts


def test_the_same_call_by_two_routes_is_counted_apart(census_tool):
    counts = census_tool.census([
        "[syscall] rt_sigaction(SIGSEGV, vaddr <vaddr>, NULL, 8) = 0",
        "[syscall]   ... and 4 more rt_sigaction calls like it, each = -ENOSYS",
        "[libc sigaction] rt_sigaction(SIGHUP, NULL, vaddr <vaddr>, 8) = -ENOSYS (not implemented)",
        "[libc munmap] munmap(0x7efffffc0000, 0x1000) = 0",
        "[libc pthread_sigmask] rt_sigprocmask(SIG_SETMASK, vaddr <vaddr>, NULL, 8) = 0"])
    assert counts == {("syscall", "rt_sigaction"): 5, ("libc sigaction", "rt_sigaction"): 1,
                      ("libc munmap", "munmap"): 1, ("libc pthread_sigmask", "rt_sigprocmask"): 1}


def test_a_call_the_kernel_does_not_know_is_counted_by_number(census_tool):
    # log.cpp prints an unknown call as syscall_<number>(all six registers).
    counts = census_tool.census(
        ["[syscall] syscall_1000(0x1, 0x2, 0x0, 0x0, 0x0, 0x0) = -ENOSYS (not implemented)"])
    assert counts == {("syscall", "syscall_1000"): 1}


def test_a_note_after_the_result_does_not_hide_the_call(census_tool):
    counts = census_tool.census(['[syscall] openat(-100, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", '
                                 '0x80000, 0) = -ENOENT (no such file)'])
    assert counts == {("syscall", "openat"): 1}


def test_text_writes_count_their_calls_not_their_lines(census_tool):
    counts = census_tool.census([
        '[syscall] write(1, "Hello World!\\n") in 2 calls, each = 13',
        '[syscall] write(2, "goroutine 1 [running]:\\n") in 1 call, each = -ENOSYS (not implemented)',
        # A write that is not to stdout or stderr is logged as an ordinary call.
        '[syscall] write(5, "x") = 1'])
    assert counts == {("syscall", "write"): 4}


def test_main_prints_the_total_and_the_most_frequent_first(census_tool, tmp_path, capsys):
    log = tmp_path / "console.txt"
    log.write_text(LOG)
    assert census_tool.main(["--file", str(log)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{log}: 84 system calls"
    assert lines[1].split() == ["63", "rt_sigaction", "via", "libc", "sigaction"]
    assert lines[2].split() == ["14", "clock_gettime", "via", "Go", "(unigornel_syscall)"]
    assert lines[3].split() == ["4", "write", "via", "Go", "(unigornel_syscall)"]
    # Ties are in (route, name) order: libc mmap before the syscall route.
    assert [line.split()[1] for line in lines[4:]] == ["mmap", "exit_group", "sched_getaffinity"]


def test_main_reads_the_console_the_checker_kept(census_tool, tmp_path, capsys):
    kept = tmp_path / "checker" / "06-hello" / "cgo" / "console.txt"
    kept.parent.mkdir(parents=True)
    kept.write_text("[syscall] getpid() = 1\n")
    assert census_tool.main(["06-hello", "--scenario", "cgo", "--build-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{kept}: 1 system calls",
                                                    "       1  getpid               via Go (unigornel_syscall)"]


@pytest.mark.parametrize("argv", [["05-futex"], []])
def test_main_without_a_console_log_says_how_to_get_one(census_tool, tmp_path, capsys, argv):
    assert census_tool.main([*argv, "--build-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no console log at" in err
    assert f"python3 -m checker run {argv[0] if argv else 'STAGE'}" in err
