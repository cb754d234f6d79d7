// process — fork/exec with the output on a pipe (see process.hpp).
#include "process.hpp"

#include "wire.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agent {

pid_t spawn(const std::vector<std::string>& argv, int* out_fd, bool own_group) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        if (own_group) setpgid(0, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    // Also set from this side: a signal sent to the group right after fork must not miss a
    // child that has not run its own setpgid yet.
    if (own_group) setpgid(pid, pid);
    *out_fd = p[0];
    return pid;
}

std::string run_capture(const std::vector<std::string>& argv, int* status) {
    int fd = -1;
    pid_t pid = spawn(argv, &fd);
    std::string out;
    if (pid < 0) {
        *status = -1;
        return out;
    }
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) out.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    waitpid(pid, status, 0);
    return out;
}

std::string run_bounded(const std::vector<std::string>& argv, long long limit_ms, size_t max_bytes,
                        int* status, std::string* how) {
    int fd = -1;
    std::string out;
    *how = "exit";
    pid_t pid = spawn(argv, &fd, /*own_group=*/true);
    if (pid < 0) {
        *status = -1;
        return out;
    }
    long long deadline = now_ms() + limit_ms;
    char buf[512];
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            *how = "killed";
            break;
        }
        pollfd p{fd, POLLIN, 0};
        int r = poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;  // poll's own timeout: the loop's check above ends it
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // end of output: the program has finished (or closed its output)
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max_bytes) {
            out.resize(max_bytes);
            *how = "cut";
            break;
        }
    }
    close(fd);
    // A program can close its output and still run: it too is waited for only until the
    // deadline.  Out of time or output, the group is killed, so the last waitpid returns.
    while (*how == "exit" && waitpid(pid, status, WNOHANG) == 0) {
        if (now_ms() >= deadline) *how = "killed";
        else usleep(10 * 1000);
    }
    if (*how != "exit") {
        kill(-pid, SIGKILL);
        waitpid(pid, status, 0);
    }
    return out;
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 128;
}

}  // namespace agent
