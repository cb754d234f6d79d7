// dom0_tools — the TOOL and TOOLKILL commands (see dom0_tools.hpp for the protocol).
#include "dom0_tools.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.hpp"
#include "wire.hpp"

namespace agent {

namespace {

constexpr size_t kPiece = 480;               // the most output bytes in one @TOOLOUT
constexpr size_t kReadBudget = 4 * kPiece;   // per tool per pass of the main loop
constexpr size_t kOutputLimit = 1 << 20;     // a tool printing more is stopped
constexpr size_t kMaxTools = 4;              // at once; the checker runs one per step

void tool_error(const std::string& id, const std::string& why) {
    send_line("@TOOLERR " + id + " " + hex(why));
}

}  // namespace

void Dom0Tools::start(const std::string& id, const std::string& hex_argv) {
    if (std::any_of(tools_.begin(), tools_.end(), [&](const Tool& t) { return t.id == id; }))
        return tool_error(id, "a tool with id " + id + " is still running");
    if (tools_.size() >= kMaxTools) return tool_error(id, "too many tools running at once");
    std::vector<std::string> argv;
    std::string raw = unhex(hex_argv);
    size_t i = 0;
    while (i <= raw.size() && !raw.empty()) {
        size_t j = raw.find('\0', i);
        if (j == std::string::npos) j = raw.size();
        argv.push_back(raw.substr(i, j - i));
        i = j + 1;
    }
    if (argv.empty() || argv[0].empty()) return tool_error(id, "TOOL needs a command");
    if (std::find(allowed_.begin(), allowed_.end(), argv[0]) == allowed_.end()) {
        std::string list;
        for (auto& a : allowed_) list += (list.empty() ? "" : ", ") + a;
        return tool_error(id, argv[0] + " is not a tool the agent runs (allowed: " + list + ")");
    }
    if (access(argv[0].c_str(), X_OK) != 0) return tool_error(id, argv[0] + " is not installed in dom0");
    Tool t;
    t.id = id;
    t.pid = spawn(argv, &t.fd, /*own_group=*/true);
    if (t.pid < 0) return tool_error(id, "cannot start " + argv[0]);
    fcntl(t.fd, F_SETFL, fcntl(t.fd, F_GETFL) | O_NONBLOCK);
    tools_.push_back(t);
}

void Dom0Tools::kill(const std::string& id) {
    for (auto& t : tools_)
        if (t.id == id) stop(t, "killed", 2000);
    // An id that is not running has just ended: its @TOOLRC is on its way.
}

void Dom0Tools::stop(Tool& t, const std::string& reason, long long grace_ms) {
    if (t.stop_reason.empty()) t.stop_reason = reason;
    // SIGINT first: ping and arping print their statistics on it, which says how far they got.
    ::kill(-t.pid, grace_ms > 0 ? SIGINT : SIGKILL);
    t.hard_kill_at = now_ms() + grace_ms;
}

void Dom0Tools::add_fds(std::vector<pollfd>& fds) {
    // A tool at end of file is not polled (its POLLHUP would wake every pass); it is reaped
    // by service() on the next pass of the loop, which polls at least every 10 ms.
    for (auto& t : tools_)
        if (!t.eof) fds.push_back({t.fd, POLLIN, 0});
}

void Dom0Tools::flush(Tool& t, bool all) {
    for (;;) {
        size_t nl = t.partial.find('\n');
        size_t n = nl != std::string::npos ? nl + 1 : t.partial.size() >= kPiece ? kPiece : 0;
        if (n == 0 && all) n = t.partial.size();
        if (n == 0) return;
        n = std::min(n, kPiece);
        send_line("@TOOLOUT " + t.id + " " + hex(t.partial.data(), n));
        t.partial.erase(0, n);
    }
}

void Dom0Tools::read_some(Tool& t, bool everything) {
    char buf[kPiece];
    size_t budget = everything ? ~size_t{0} : kReadBudget;
    while (budget > 0 && !t.eof) {
        ssize_t n = read(t.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;  // EAGAIN: nothing more now
        if (n == 0) {
            t.eof = true;
            break;
        }
        t.partial.append(buf, static_cast<size_t>(n));
        t.total += static_cast<size_t>(n);
        budget -= std::min(budget, static_cast<size_t>(n));
        if (t.total > kOutputLimit && t.stop_reason.empty()) stop(t, "output-limit", 0);
    }
    flush(t, t.eof);
}

bool Dom0Tools::reap(Tool& t, bool block) {
    if (!t.eof) return false;
    int status = 0;
    pid_t r = waitpid(t.pid, &status, block ? 0 : WNOHANG);
    if (r == 0) return false;
    close(t.fd);
    std::string how = t.stop_reason.empty() ? "exit" : t.stop_reason;
    send_line("@TOOLRC " + t.id + " " + std::to_string(exit_code(status)) + " " + how);
    return true;
}

void Dom0Tools::service(const std::vector<pollfd>& fds) {
    for (auto& t : tools_) {
        for (auto& p : fds)
            if (p.fd == t.fd && !t.eof && (p.revents & (POLLIN | POLLHUP | POLLERR))) read_some(t, false);
        if (t.hard_kill_at != 0 && now_ms() >= t.hard_kill_at) {
            ::kill(-t.pid, SIGKILL);
            t.hard_kill_at = 0;
        }
    }
    tools_.erase(std::remove_if(tools_.begin(), tools_.end(), [this](Tool& t) { return reap(t, false); }),
                 tools_.end());
}

void Dom0Tools::stop_all_for_guest_end() {
    for (auto& t : tools_) stop(t, "guest-ended", 1000);
    long long deadline = now_ms() + 2000;
    while (!tools_.empty() && now_ms() < deadline) {
        std::vector<pollfd> fds;
        add_fds(fds);
        poll(fds.data(), fds.size(), 10);
        for (auto& t : tools_) read_some(t, false);
        service(fds);
    }
    for (auto& t : tools_) {  // still there after SIGKILL's grace: something is badly stuck
        ::kill(-t.pid, SIGKILL);
        fcntl(t.fd, F_SETFL, fcntl(t.fd, F_GETFL) & ~O_NONBLOCK);
        read_some(t, true);
        reap(t, true);
    }
    tools_.clear();
}

}  // namespace agent
