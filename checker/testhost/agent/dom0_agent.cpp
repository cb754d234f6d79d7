// dom0_agent — the checker's hands inside the test host's dom0.
//
// It is started by the dom0 init script once xenstored and xenconsoled run, and talks to
// the checker over a dedicated serial line (QEMU's second UART, /dev/ttyS1; Xen itself owns
// COM1 for its own console).  Everything crossing the line is one text line per message, and
// every payload is hex so that no byte a guest prints can break the framing.
//
// checker -> agent                         agent -> checker
//   RUN <name> <kernel> <mem_mb> <hexcmd> [<ramdisk>]    @READY <ms since boot> <xen major.minor>
//   INPUT <hex>   (to the guest console)     @CON <ms> <hex>      guest console bytes
//   KILL          (xl destroy)               @XL <hex>            a line printed by xl
//   SH <hex>      (sh -c, one at a time)     @END <reason> <ms>   poweroff|reboot|suspend|
//   HALT          (power the host off)                            crash|watchdog|destroyed|xl-failed
//                                            @SH <hex> / @SHRC <rc>
//                                            @ERR <hex>
// <ms> counts from the moment RUN started `xl create`, so the checker can time a guest.
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
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

namespace {

// Defaults are the test host's layout; a lab machine (checker --backend xl) passes its own.
std::string kXl = "/usr/lib/xen-4.17/bin/xl";
std::string kXenstoreRead = "/usr/bin/xenstore-read";
std::string kConsoleLogDir = "/var/log/xen/console";
std::string kWorkDir = "/run/agent";

int g_line = -1;      // where commands come from: the serial line, or stdin
int g_line_out = -1;  // where replies go: the serial line, or stdout

long long now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void write_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return;
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
}

std::string hex(const char* p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        auto b = static_cast<unsigned char>(p[i]);
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string unhex(const std::string& s) {
    std::string out;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i + 1 < s.size(); i += 2) {
        int hi = nib(s[i]), lo = nib(s[i + 1]);
        if (hi < 0 || lo < 0) break;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

void send_line(const std::string& line) {
    std::string l = line + "\n";
    write_all(g_line_out, l.data(), l.size());
}

void send_error(const std::string& msg) { send_line("@ERR " + hex(msg.data(), msg.size())); }

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// Runs argv with stdout+stderr on a pipe; returns the child's pid and the read end.
pid_t spawn(const std::vector<std::string>& argv, int* out_fd) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
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
    *out_fd = p[0];
    return pid;
}

// Runs a command to completion and returns its output (used for short xl/xenstore queries).
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

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

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

void pump_console(bool final_read) {
    if (!g_guest.active) return;
    if (g_guest.log_fd < 0) {
        std::string path = kConsoleLogDir + "/guest-" + g_guest.name + ".log";
        g_guest.log_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (g_guest.log_fd < 0) return;
    }
    // A bounded amount per call, so that the main loop gets back to the checker's commands
    // within a fraction of a second however much the guest prints: the line to the checker
    // carries about 5 KB of console a second (hex over the serial port), and a KILL that waited
    // behind megabytes of a flooding guest's output arrived minutes late.  After a KILL the
    // rest is read and dropped: the checker has stopped listening.
    char buf[480];
    size_t budget = final_read ? ~size_t{0} : 4 * sizeof buf;
    while (budget > 0) {
        ssize_t n = read(g_guest.log_fd, buf, sizeof buf);
        if (n <= 0) break;
        g_guest.saw_output = true;
        if (g_guest.killed) continue;
        send_line("@CON " + std::to_string(now_ms() - g_guest.t0) + " " + hex(buf, static_cast<size_t>(n)));
        budget -= budget < static_cast<size_t>(n) ? budget : static_cast<size_t>(n);
    }
}

void finish_guest() {
    // xenconsoled drains the ring on its own schedule; give it a moment after the domain is
    // gone so the last line a guest printed before shutting down still reaches us.
    for (int i = 0; i < 5; ++i) {
        usleep(40 * 1000);
        pump_console(true);
    }
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

void cmd_run(const std::vector<std::string>& a) {
    if (a.size() < 4) return send_error("RUN needs <name> <kernel> <mem_mb> [hexcmdline [ramdisk]]");
    if (g_guest.active) return send_error("RUN while guest " + g_guest.name + " is still running");
    std::string name = a[1], kernel = a[2], mem = a[3];
    std::string cmdline = a.size() > 4 ? unhex(a[4]) : "";
    std::string ramdisk = a.size() > 5 ? a[5] : "";  // the benchmark's Linux domU needs one
    if (access(kernel.c_str(), R_OK) != 0) return send_error("kernel image not found in dom0: " + kernel);
    if (!ramdisk.empty() && access(ramdisk.c_str(), R_OK) != 0)
        return send_error("ramdisk not found in dom0: " + ramdisk);
    std::string cfg = kWorkDir + "/" + name + ".cfg";
    std::string text = "name = \"" + name + "\"\ntype = \"pv\"\nkernel = \"" + kernel + "\"\nmemory = " + mem +
                       "\nvcpus = 1\non_poweroff = \"destroy\"\non_reboot = \"destroy\"\n"
                       "on_crash = \"destroy\"\nextra = \"" + cmdline + "\"\n";
    if (!ramdisk.empty()) text += "ramdisk = \"" + ramdisk + "\"\n";
    int fd = open(cfg.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return send_error("cannot write " + cfg + ": " + strerror(errno));
    write_all(fd, text.data(), text.size());
    close(fd);
    g_guest.active = true;
    g_guest.name = name;
    g_guest.t0 = now_ms();
    g_guest.xl_pid = spawn({kXl, "create", "-F", cfg}, &g_guest.xl_fd);
    if (g_guest.xl_pid < 0) {
        g_guest = Guest{};
        return send_error("cannot start xl");
    }
}

void open_guest_pty() {
    if (g_guest.pty_fd >= 0) return;
    int st = 0;
    std::string domid = trim(run_capture({kXl, "domid", g_guest.name}, &st));
    if (st != 0 || domid.empty()) return send_error("no domain id for " + g_guest.name);
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

void handle_command(const std::string& line) {
    auto a = split(line);
    if (a.empty()) return;
    if (a[0] == "RUN") return cmd_run(a);
    if (a[0] == "INPUT") return cmd_input(a);
    if (a[0] == "KILL") return cmd_kill();
    if (a[0] == "SH") return cmd_sh(a);
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
    // Usage: dom0_agent [--line DEV|-] [--xl PATH] [--xenstore-read PATH] [--log-dir DIR] [--work DIR]
    std::string dev = "/dev/ttyS1";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--line") dev = v;
        else if (k == "--xl") kXl = v;
        else if (k == "--xenstore-read") kXenstoreRead = v;
        else if (k == "--log-dir") kConsoleLogDir = v;
        else if (k == "--work") kWorkDir = v;
        else {
            fprintf(stderr, "dom0_agent: unknown option %s\n", k.c_str());
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
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
    std::string inbuf;
    bool heard_from_checker = false;
    long long last_ready = 0;
    for (;;) {
        // Until the checker has said something, announce ourselves twice a second: bytes sent
        // before the checker attached to QEMU's socket are lost.
        if (!heard_from_checker && now_ms() - last_ready >= 500) {
            send_line("@READY " + std::to_string(uptime_ms()) + " " + xen_version());
            last_ready = now_ms();
        }
        pollfd fds[4];
        int n = 0;
        fds[n++] = {g_line, POLLIN, 0};
        int xl_i = -1, sh_i = -1, pty_i = -1;
        if (g_guest.active) { xl_i = n; fds[n++] = {g_guest.xl_fd, POLLIN, 0}; }
        if (g_guest.pty_fd >= 0) {
            pty_i = n;
            short want = POLLIN | (g_guest.input_pending.empty() ? 0 : POLLOUT);
            fds[n++] = {g_guest.pty_fd, want, 0};
        }
        if (g_shell.pid > 0) { sh_i = n; fds[n++] = {g_shell.fd, POLLIN, 0}; }
        int r = poll(fds, static_cast<nfds_t>(n), 10);
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
        pump_console(false);
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
