// dom0_agent — the checker's hands inside the test host's dom0.
//
// It is started by the dom0 init script once xenstored and xenconsoled run, and talks to
// the checker over a dedicated line: a virtio-serial port that QEMU gives dom0, named
// unigornel.agent (dom0-init.sh finds its /dev/vport* node; Xen itself owns COM1 for its own
// console).  It was QEMU's second UART until the UART's 5 KB/s of hex turned out to be what a
// boot log cost (tools/benchmark-hello.py).  Everything crossing the line is one text line per message, and
// every payload is hex so that no byte a guest prints can break the framing.
//
// checker -> agent                                 agent -> checker
//   RUN <name> <kernel> <mem_mb> <hexcmd>            @READY <ms since boot> <xen major.minor>
//       [ramdisk=<path>] [vif=<hex vif spec>]        @CON <ms> <hex>      guest console bytes
//       [paused]
//   INPUT <hex>   (to the guest console)             @XL <hex>            a line printed by xl
//   KILL          (xl destroy)                       @END <reason> <ms>   poweroff|reboot|suspend|
//   SH <hex>      (sh -c, one at a time)                                  crash|watchdog|destroyed|xl-failed
//   NET <bridge> <mac> <addr>/<prefix>               @SH <hex> / @SHRC <rc>
//   TOOL <id> <hex argv>  /  TOOLKILL <id>           @NET <ms> <made|present>
//   FRAMES <id> <path>                               @TOOLOUT <id> <hex> / @TOOLRC <id> <rc> <how>
//   CTX <hex args> (pause, xenctx)                   @CTX <rc> <how> <hex output>
//   PING                                             @FRAMES <id> <sent> <total> [<index> <hex why>]
//   HALT          (power the host off)               @TOOLERR <id> <hex>  / @PONG / @ERR <hex>
// <ms> counts from the moment RUN started `xl create`, so the checker can time a guest.
// RUN's `paused` (checker debug) creates the domain without running it (xl create -p), so a
// debugger can set its breakpoints first; `SH xl unpause <name>` starts it.
//
// CTX is for a guest that has hung: the agent pauses the domain (xl pause, so that registers
// and stack belong to one moment) and runs Xen's xenctx on it, with the checker's extra
// arguments (NUL-separated, before the domain id), then answers with xenctx's exit code, how
// it ended (exit; killed: it took over 4 s; cut: it printed over 16 KiB, the first 16 KiB are
// sent; refused: it did not run, and the output says why) and its output.  The domain stays
// paused; the checker destroys it next with KILL.  An empty output leaves the last field out.
//
// Networking (stage 08 on): NET makes dom0's bridge (net_setup.hpp); RUN's vif= is the xl vif
// spec the guest gets, e.g. "bridge=xenbr0,mac=00:16:3e:63:00:02,ip=10.99.0.2" in hex (xl puts
// ip= into the backend's xenstore directory, where the guest can read it); TOOL runs ping or
// arping in dom0 while the guest runs (dom0_tools.hpp); FRAMES sends raw Ethernet frames onto
// the running guest's vif (raw_frames.hpp).  TOOL and FRAMES need a running guest; its end
// stops every tool, whose @TOOLRC comes before @END.
//
// Why the console comes from xenconsoled's log file and not from its pty: the log is written
// as soon as xenconsoled drains the ring, whether or not anybody reads the pty, so no early
// byte can be lost to a race with opening the pty.  The pty is only used to send input.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string>
#include <sys/inotify.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

#include "dom0_tools.hpp"
#include "net_setup.hpp"
#include "process.hpp"
#include "raw_frames.hpp"
#include "wire.hpp"

using namespace agent;

namespace {

// Defaults are the test host's layout; a lab machine (checker --backend xl) passes its own.
std::string kXl = "/usr/lib/xen-4.17/bin/xl";
std::string kXenstoreRead = "/usr/bin/xenstore-read";
std::string kXenctx = "/usr/lib/xen-4.17/bin/xenctx";
std::string kConsoleLogDir = "/var/log/xen/console";
std::string kWorkDir = "/run/agent";
std::string kNetModules = "/etc/net-modules.order";  // written by image.py

int g_line = -1;  // where commands come from: the serial line, or stdin

// One guest run at a time.
struct Guest {
    bool active = false;
    std::string name;
    long long t0 = 0;
    pid_t xl_pid = -1;
    int xl_fd = -1;
    std::string xl_partial;
    std::string end_reason;  // from xl's "has shut down, reason code N"
    bool killed = false;
    int log_fd = -1;
    int pty_fd = -1;
    bool saw_output = false;
    std::string domid;  // asked of xl when first needed (console input, FRAMES)
    // Console input not yet taken by the pty.  The pty is non-blocking and xenconsoled reads it
    // only as fast as the guest empties its 1 KiB input ring, so a large paste is written a
    // piece at a time from the main loop (POLLOUT) instead of spinning in write().
    std::string input_pending;
};

Guest g_guest;

struct Shell {
    pid_t pid = -1;
    int fd = -1;
    std::string out;
};
Shell g_shell;

// The tools TOOL may run: Debian's iputils, where its packages put them (a lab machine's
// Debian has them at the same paths; --tool replaces the list).
std::vector<std::string> g_allowed_tools = {"/bin/ping", "/usr/bin/arping"};
Dom0Tools* g_tools = nullptr;

const char* reason_name(int code) {
    // Xen's SHUTDOWN_* codes (xen/include/public/sched.h).
    switch (code) {
        case 0: return "poweroff";
        case 1: return "reboot";
        case 2: return "suspend";
        case 3: return "crash";
        case 4: return "watchdog";
        case 5: return "soft_reset";
        default: return "unknown";
    }
}

void handle_xl_line(const std::string& line) {
    send_line("@XL " + hex(line.data(), line.size()));
    // xl create -F prints "Domain 3 has shut down, reason code 0 0x0" (tools/xl/xl_vmcontrol.c).
    const char* key = "has shut down, reason code ";
    auto at = line.find(key);
    if (at != std::string::npos) {
        int code = atoi(line.c_str() + at + strlen(key));
        g_guest.end_reason = reason_name(code);
    }
}

// Returns true when it stopped at its budget with more of the log perhaps unread, so that the
// main loop comes straight back instead of waiting in poll.
bool pump_console(bool final_read) {
    if (!g_guest.active) return false;
    if (g_guest.log_fd < 0) {
        std::string path = kConsoleLogDir + "/guest-" + g_guest.name + ".log";
        g_guest.log_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (g_guest.log_fd < 0) return false;
    }
    // A bounded amount per call, so that the main loop gets back to the checker's commands
    // within milliseconds however much the guest prints: a KILL that waited behind megabytes of
    // a flooding guest's output would arrive late.  The line is a virtio-serial port (it keeps
    // up with a 400 KB/s console flood here, TCG); the old UART carried 5 KB a second, and this pump's
    // budget then (1920 bytes a pass, a pass each 10 ms poll) also capped what a boot log could
    // show at 192 KB/s.  Each chunk is stamped when it is read, so the stamps say when
    // xenconsoled wrote the bytes, not when the line got round to them.  After a KILL the rest
    // is read and dropped: the checker has stopped listening.
    char buf[4000];
    size_t budget = final_read ? ~size_t{0} : 16 * sizeof buf;
    while (budget > 0) {
        ssize_t n = read(g_guest.log_fd, buf, sizeof buf);
        if (n <= 0) return false;
        g_guest.saw_output = true;
        if (g_guest.killed) continue;
        send_line("@CON " + std::to_string(now_ms() - g_guest.t0) + " " + hex(buf, static_cast<size_t>(n)));
        budget -= budget < static_cast<size_t>(n) ? budget : static_cast<size_t>(n);
    }
    return true;
}

void finish_guest() {
    // xenconsoled drains the ring on its own schedule; give it a moment after the domain is
    // gone so the last line a guest printed before shutting down still reaches us.
    for (int i = 0; i < 5; ++i) {
        usleep(40 * 1000);
        pump_console(true);
    }
    // Every tool's last output and @TOOLRC before @END: the checker stops listening at @END.
    g_tools->stop_all_for_guest_end();
    std::string reason = g_guest.end_reason;
    int status = 0;
    waitpid(g_guest.xl_pid, &status, 0);
    if (reason.empty()) reason = g_guest.killed ? "destroyed" : "xl-failed";
    send_line("@END " + reason + " " + std::to_string(now_ms() - g_guest.t0));
    if (g_guest.log_fd >= 0) close(g_guest.log_fd);
    if (g_guest.pty_fd >= 0) close(g_guest.pty_fd);
    close(g_guest.xl_fd);
    g_guest = Guest{};
}

// Characters an xl vif spec may hold here: it goes between quotes in the domain's config file.
bool safe_vif_spec(const std::string& spec) {
    for (char c : spec)
        if (!isalnum(static_cast<unsigned char>(c)) && !strchr("=,.:_-/", c)) return false;
    return !spec.empty();
}

// A RUN that starts no guest says so in words that begin "RUN refused:", so that the checker
// knows no @END will follow (the guest never existed) and stops waiting at once.
void refuse(const std::string& why) { send_error("RUN refused: " + why); }

void cmd_run(const std::vector<std::string>& a) {
    if (a.size() < 4) return refuse("it needs <name> <kernel> <mem_mb> [hexcmdline [ramdisk=<path>] [vif=<hex>]]");
    if (g_guest.active) return refuse("guest " + g_guest.name + " is still running");
    std::string name = a[1], kernel = a[2], mem = a[3];
    // An empty command line is an empty hex field, which split() drops: the word after the
    // memory is then already an option, and no option is a hex number.
    std::string cmdline;
    size_t options = 4;
    if (a.size() > 4 && a[4].find_first_not_of("0123456789abcdefABCDEF") == std::string::npos)
        cmdline = unhex(a[options++]);
    std::string ramdisk, vif;  // the benchmark's Linux domU needs a ramdisk; stage 08 on a vif
    bool paused = false;
    for (size_t i = options; i < a.size(); ++i) {
        if (a[i].rfind("ramdisk=", 0) == 0) ramdisk = a[i].substr(8);
        else if (a[i].rfind("vif=", 0) == 0) vif = unhex(a[i].substr(4));
        else if (a[i] == "paused") paused = true;
        else return refuse("unknown option " + a[i]);
    }
    if (access(kernel.c_str(), R_OK) != 0) return refuse("kernel image not found in dom0: " + kernel);
    if (!ramdisk.empty() && access(ramdisk.c_str(), R_OK) != 0)
        return refuse("ramdisk not found in dom0: " + ramdisk);
    if (!vif.empty() && !safe_vif_spec(vif)) return refuse("a vif spec may not contain quotes or spaces: " + vif);
    std::string cfg = kWorkDir + "/" + name + ".cfg";
    std::string text = "name = \"" + name + "\"\ntype = \"pv\"\nkernel = \"" + kernel + "\"\nmemory = " + mem +
                       "\nvcpus = 1\non_poweroff = \"destroy\"\non_reboot = \"destroy\"\n"
                       "on_crash = \"destroy\"\nextra = \"" + cmdline + "\"\n";
    if (!ramdisk.empty()) text += "ramdisk = \"" + ramdisk + "\"\n";
    if (!vif.empty()) text += "vif = [ '" + vif + "' ]\n";
    int fd = open(cfg.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return refuse("cannot write " + cfg + ": " + strerror(errno));
    write_all(fd, text.data(), text.size());
    close(fd);
    g_guest.active = true;
    g_guest.name = name;
    g_guest.t0 = now_ms();
    std::vector<std::string> create = {kXl, "create", "-F", cfg};
    if (paused) create.insert(create.begin() + 2, "-p");
    g_guest.xl_pid = spawn(create, &g_guest.xl_fd);
    if (g_guest.xl_pid < 0) {
        g_guest = Guest{};
        return refuse("cannot start xl");
    }
}

// The running guest's domain id ("" and an @ERR if xl cannot say).
std::string guest_domid() {
    if (!g_guest.domid.empty()) return g_guest.domid;
    int st = 0;
    std::string domid = trim(run_capture({kXl, "domid", g_guest.name}, &st));
    if (st != 0 || domid.empty()) {
        send_error("no domain id for " + g_guest.name);
        return "";
    }
    return g_guest.domid = domid;
}

void open_guest_pty() {
    if (g_guest.pty_fd >= 0) return;
    int st = 0;
    std::string domid = guest_domid();
    if (domid.empty()) return;
    std::string tty;
    for (int i = 0; i < 50 && tty.empty(); ++i) {
        tty = trim(run_capture({kXenstoreRead, "/local/domain/" + domid + "/console/tty"}, &st));
        if (st != 0) tty.clear();
        if (tty.empty()) usleep(20 * 1000);
    }
    if (tty.empty()) return send_error("xenconsoled published no console pty for domain " + domid);
    g_guest.pty_fd = open(tty.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (g_guest.pty_fd < 0) return send_error("cannot open " + tty + ": " + strerror(errno));
    termios t{};
    if (tcgetattr(g_guest.pty_fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(g_guest.pty_fd, TCSANOW, &t);
    }
}

// Writes what the pty takes now of the pending console input; the rest waits for POLLOUT.
void flush_input() {
    while (!g_guest.input_pending.empty() && g_guest.pty_fd >= 0) {
        ssize_t w = write(g_guest.pty_fd, g_guest.input_pending.data(), g_guest.input_pending.size());
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) {
                send_error(std::string("console input lost: ") + strerror(errno));
                g_guest.input_pending.clear();
            }
            return;
        }
        g_guest.input_pending.erase(0, static_cast<size_t>(w));
    }
}

void cmd_input(const std::vector<std::string>& a) {
    if (!g_guest.active) return send_error("INPUT with no guest running");
    open_guest_pty();
    if (g_guest.pty_fd < 0) return;
    g_guest.input_pending += a.size() > 1 ? unhex(a[1]) : "";
    flush_input();
}

void cmd_kill() {
    if (!g_guest.active) return;
    g_guest.killed = true;
    int st = 0;
    // Paused first: a guest that floods its console or spins keeps a vCPU busy, and stopping
    // it at once leaves the CPU to dom0 and the destroy that follows.
    run_capture({kXl, "pause", g_guest.name}, &st);
    std::string out = run_capture({kXl, "destroy", g_guest.name}, &st);
    if (st != 0) send_error("xl destroy failed: " + out);
}

// xenctx on a paused PV guest takes a fraction of a second; far longer means it is stuck, and
// the checker, which waits 5 s for the answer, must get one before it gives up.
constexpr long long kCtxLimitMs = 4000;
// A register dump and a few lines of stack are about 2 KB; the bound keeps the answer's time
// on the serial line (about 10 KB of hex a second) short whatever the arguments ask for.
constexpr size_t kCtxMaxBytes = 16 * 1024;

void cmd_ctx(const std::vector<std::string>& a) {
    auto reply = [](int rc, const std::string& how, const std::string& text) {
        send_line("@CTX " + std::to_string(rc) + " " + how + " " + hex(text));
    };
    if (!g_guest.active) return reply(-1, "refused", "no guest is running");
    if (access(kXenctx.c_str(), X_OK) != 0) return reply(127, "refused", kXenctx + " is not installed in dom0");
    std::string domid = guest_domid();
    if (domid.empty()) return reply(-1, "refused", "xl knows no domain id for " + g_guest.name);
    int st = 0;
    std::string out = run_capture({kXl, "pause", g_guest.name}, &st);
    if (st != 0) return reply(-1, "refused", "xl pause failed: " + trim(out));
    std::vector<std::string> argv = {kXenctx};
    std::string raw = a.size() > 1 ? unhex(a[1]) : "";
    for (size_t at = 0; at < raw.size();) {
        size_t end = raw.find('\0', at);
        if (end == std::string::npos) end = raw.size();
        if (end > at) argv.push_back(raw.substr(at, end - at));
        at = end + 1;
    }
    argv.push_back(domid);
    std::string how;
    out = run_bounded(argv, kCtxLimitMs, kCtxMaxBytes, &st, &how);
    reply(st < 0 ? -1 : exit_code(st), how, out);
}

void cmd_sh(const std::vector<std::string>& a) {
    if (g_shell.pid > 0) return send_error("SH while another SH is running");
    std::string cmd = a.size() > 1 ? unhex(a[1]) : "";
    g_shell.out.clear();
    g_shell.pid = spawn({"/bin/sh", "-c", cmd}, &g_shell.fd);
    if (g_shell.pid < 0) {
        g_shell = Shell{};
        send_line("@SHRC 127");
    }
}

void cmd_net(const std::vector<std::string>& a) {
    if (a.size() != 4) return send_error("NET needs <bridge> <mac> <addr>/<prefix>");
    long long t0 = now_ms();
    bool made = false;
    // Blocks the loop while modules load (about a second under TCG); the checker sends NET
    // before the RUN that needs it, so no guest console is waiting meanwhile.
    std::string why = net_up(kNetModules, a[1], a[2], a[3], &made);
    if (!why.empty()) return send_error(why);
    send_line("@NET " + std::to_string(now_ms() - t0) + (made ? " made" : " present"));
}

void cmd_tool(const std::vector<std::string>& a) {
    if (a.size() != 3) return send_error("TOOL needs <id> <hex argv>");
    if (!g_guest.active) return send_line("@TOOLERR " + a[1] + " " + hex(std::string("no guest is running")));
    g_tools->start(a[1], a[2]);
}

void cmd_frames(const std::vector<std::string>& a) {
    if (a.size() != 3) return send_error("FRAMES needs <id> <path>");
    if (!g_guest.active) return send_line("@TOOLERR " + a[1] + " " + hex(std::string("no guest is running")));
    std::string domid = guest_domid();
    if (domid.empty()) return send_line("@TOOLERR " + a[1] + " " + hex(std::string("the guest has no domain id")));
    // libxl names the backend of a guest's first vif "vif<domid>.0" (netback, xenbus.c).
    send_frames(a[1], "vif" + domid + ".0", a[2]);
}

void handle_command(const std::string& line) {
    auto a = split(line);
    if (a.empty()) return;
    if (a[0] == "RUN") return cmd_run(a);
    if (a[0] == "INPUT") return cmd_input(a);
    if (a[0] == "KILL") return cmd_kill();
    if (a[0] == "CTX") return cmd_ctx(a);
    if (a[0] == "SH") return cmd_sh(a);
    if (a[0] == "NET") return cmd_net(a);
    if (a[0] == "TOOL") return cmd_tool(a);
    if (a[0] == "TOOLKILL") return a.size() > 1 ? g_tools->kill(a[1]) : send_error("TOOLKILL needs <id>");
    if (a[0] == "FRAMES") return cmd_frames(a);
    if (a[0] == "PING") return send_line("@PONG");
    if (a[0] == "HALT") {
        sync();
        // A PV dom0 that reboots makes Xen reset the machine, and QEMU's -no-reboot turns
        // that into a clean exit (SHUTDOWN_poweroff of dom0 would leave QEMU running).
        reboot(RB_AUTOBOOT);
        return;
    }
    send_error("unknown command: " + a[0]);
}

std::string xen_version() {
    auto rd = [](const char* path) {
        std::string s;
        int fd = open(path, O_RDONLY);
        if (fd < 0) return s;
        char buf[32];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) s.assign(buf, static_cast<size_t>(n));
        close(fd);
        return trim(s);
    };
    return rd("/sys/hypervisor/version/major") + "." + rd("/sys/hypervisor/version/minor");
}

long long uptime_ms() {
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

}  // namespace

int main(int argc, char** argv) {
    // Usage: dom0_agent [--line DEV|-] [--xl PATH] [--xenstore-read PATH] [--xenctx PATH] [--log-dir DIR] [--work DIR]
    //                   [--net-modules FILE] [--tools PATH,PATH...]
    std::string dev = "/dev/ttyS1";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--line") dev = v;
        else if (k == "--xl") kXl = v;
        else if (k == "--xenstore-read") kXenstoreRead = v;
        else if (k == "--xenctx") kXenctx = v;
        else if (k == "--log-dir") kConsoleLogDir = v;
        else if (k == "--work") kWorkDir = v;
        else if (k == "--net-modules") kNetModules = v;
        else if (k == "--tools") {
            g_allowed_tools.clear();
            for (size_t at = 0; at <= v.size();) {
                size_t comma = v.find(',', at);
                if (comma == std::string::npos) comma = v.size();
                if (comma > at) g_allowed_tools.push_back(v.substr(at, comma - at));
                at = comma + 1;
            }
        }
        else {
            fprintf(stderr, "dom0_agent: unknown option %s\n", k.c_str());
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    Dom0Tools tools(g_allowed_tools);
    g_tools = &tools;
    mkdir(kWorkDir.c_str(), 0755);
    if (dev == "-") {
        g_line = 0;
        g_line_out = 1;
    } else {
        g_line = g_line_out = open(dev.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    if (g_line < 0) {
        fprintf(stderr, "dom0_agent: cannot open %s: %s\n", dev.c_str(), strerror(errno));
        return 1;
    }
    termios t{};
    if (dev != "-" && tcgetattr(g_line, &t) == 0) {
        cfmakeraw(&t);
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        tcsetattr(g_line, TCSANOW, &t);
    }
    // Woken by xenconsoled's writes to the console logs, so that each chunk is read, and
    // stamped, when it is written rather than at the next 10 ms poll timeout (which put up to
    // 10 ms on every figure tools/benchmark-hello.py reports).  Without inotify the timeout
    // still pumps.
    int log_watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (log_watch >= 0 && inotify_add_watch(log_watch, kConsoleLogDir.c_str(), IN_MODIFY | IN_CREATE) < 0) {
        close(log_watch);
        log_watch = -1;
    }
    std::string inbuf;
    bool heard_from_checker = false;
    bool more_console = false;  // the last pump stopped at its budget
    long long last_ready = 0;
    for (;;) {
        // Until the checker has said something, announce ourselves twice a second: bytes sent
        // before the checker attached to QEMU's socket are lost.
        if (!heard_from_checker && now_ms() - last_ready >= 500) {
            send_line("@READY " + std::to_string(uptime_ms()) + " " + xen_version());
            last_ready = now_ms();
        }
        std::vector<pollfd> fds;
        fds.push_back({g_line, POLLIN, 0});
        int xl_i = -1, sh_i = -1, pty_i = -1;
        if (g_guest.active) {
            xl_i = static_cast<int>(fds.size());
            fds.push_back({g_guest.xl_fd, POLLIN, 0});
        }
        if (g_guest.pty_fd >= 0) {
            pty_i = static_cast<int>(fds.size());
            short want = POLLIN | (g_guest.input_pending.empty() ? 0 : POLLOUT);
            fds.push_back({g_guest.pty_fd, want, 0});
        }
        if (g_shell.pid > 0) {
            sh_i = static_cast<int>(fds.size());
            fds.push_back({g_shell.fd, POLLIN, 0});
        }
        int watch_i = -1;
        if (log_watch >= 0) {
            watch_i = static_cast<int>(fds.size());
            fds.push_back({log_watch, POLLIN, 0});
        }
        tools.add_fds(fds);
        int r = poll(fds.data(), static_cast<nfds_t>(fds.size()), more_console ? 0 : 10);
        if (r < 0 && errno != EINTR) return 2;
        char buf[512];
        if (r > 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
            ssize_t k = read(g_line, buf, sizeof buf);
            if (k == 0 && dev == "-") return 0;  // the checker closed our stdin
            if (k > 0) {
                heard_from_checker = true;
                inbuf.append(buf, static_cast<size_t>(k));
                size_t nl;
                while ((nl = inbuf.find('\n')) != std::string::npos) {
                    std::string line = trim(inbuf.substr(0, nl));
                    inbuf.erase(0, nl + 1);
                    handle_command(line);
                }
            }
        }
        if (watch_i >= 0 && (fds[watch_i].revents & POLLIN)) {
            char events[4096];
            while (read(log_watch, events, sizeof events) > 0) {}  // which file does not matter
        }
        if (pty_i >= 0 && (fds[pty_i].revents & POLLIN)) {
            // Output also arrives through the log; drain the pty so xenconsoled never stalls.
            while (read(g_guest.pty_fd, buf, sizeof buf) > 0) {}
        }
        if (pty_i >= 0 && (fds[pty_i].revents & POLLOUT)) flush_input();
        if (sh_i >= 0 && (fds[sh_i].revents & (POLLIN | POLLHUP))) {
            ssize_t k = read(g_shell.fd, buf, sizeof buf);
            if (k > 0) {
                g_shell.out.append(buf, static_cast<size_t>(k));
            } else {
                int st = 0;
                waitpid(g_shell.pid, &st, 0);
                close(g_shell.fd);
                send_line("@SH " + hex(g_shell.out.data(), g_shell.out.size()));
                send_line("@SHRC " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : 128));
                g_shell = Shell{};
            }
        }
        // Tools before the console and xl: a guest that ends in this pass stops its tools in
        // finish_guest, which must find their earlier output already passed on.
        tools.service(fds);
        more_console = pump_console(false);
        if (xl_i >= 0 && (fds[xl_i].revents & (POLLIN | POLLHUP))) {
            ssize_t k = read(g_guest.xl_fd, buf, sizeof buf);
            if (k > 0) {
                g_guest.xl_partial.append(buf, static_cast<size_t>(k));
                size_t nl;
                while ((nl = g_guest.xl_partial.find('\n')) != std::string::npos) {
                    handle_xl_line(g_guest.xl_partial.substr(0, nl));
                    g_guest.xl_partial.erase(0, nl + 1);
                }
            } else {
                if (!g_guest.xl_partial.empty()) handle_xl_line(g_guest.xl_partial);
                finish_guest();
            }
        }
    }
}
