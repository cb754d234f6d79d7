// dom0_tools — network tools (ping, arping) run in dom0 while a guest runs, output streamed.
//
//   TOOL <id> <hex argv>   argv NUL-separated; argv[0] must be one of the allowed absolute
//                          paths.  Replies: @TOOLOUT <id> <hex bytes> as output arrives (a
//                          line, or a piece of at most 480 bytes of a longer one), then
//                          @TOOLRC <id> <rc> <how>; or @TOOLERR <id> <hex why> if it did not start.
//   TOOLKILL <id>          SIGINT to the tool (ping and arping then print their summary), SIGKILL
//                          two seconds later if it is still there; it ends with how = killed.
//
// <how> says why the tool ended: exit (by itself), killed (TOOLKILL), guest-ended (the guest
// ended while it ran: the agent stops every tool before it sends @END), output-limit (it printed
// more than 1 MiB).  <rc> is its exit code, or 128 + the signal that ended it.
//
// Why a poll loop and not a thread per tool: the agent's main loop already polls the console,
// xl and the checker's line; a tool's pipe is one more descriptor there, read a bounded amount
// per pass (like pump_console), so a chatty tool can delay neither KILL nor the console.
#pragma once

#include <poll.h>
#include <string>
#include <vector>

namespace agent {

class Dom0Tools {
public:
    explicit Dom0Tools(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {}

    void start(const std::string& id, const std::string& hex_argv);  // TOOL
    void kill(const std::string& id);                                 // TOOLKILL
    bool any() const { return !tools_.empty(); }

    // The main loop's part: add each tool's pipe to the poll set, then service what poll found.
    void add_fds(std::vector<pollfd>& fds);
    void service(const std::vector<pollfd>& fds);

    // The guest ended: stop every tool, pass on what they printed until then and their
    // @TOOLRC, all before the caller sends @END.  Waits at most about two seconds.
    void stop_all_for_guest_end();

private:
    struct Tool {
        std::string id;
        int pid = -1;
        int fd = -1;
        std::string partial;      // output not yet sent: an unfinished line
        size_t total = 0;         // bytes of output so far, for the 1 MiB bound
        std::string stop_reason;  // "", "killed", "guest-ended", "output-limit"
        long long hard_kill_at = 0;  // when a stopped tool that is still there gets SIGKILL
        bool eof = false;
    };

    void stop(Tool& t, const std::string& reason, long long grace_ms);
    void read_some(Tool& t, bool everything);
    void flush(Tool& t, bool all);
    bool reap(Tool& t, bool block);  // true once it has ended and @TOOLRC was sent

    std::vector<std::string> allowed_;
    std::vector<Tool> tools_;
};

}  // namespace agent
