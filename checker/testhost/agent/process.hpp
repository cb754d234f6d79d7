// process — starting the programs the agent drives (xl, xenstore-read, sh, ping, arping).
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace agent {

// Runs argv (argv[0] an absolute path) with stdout and stderr on one pipe and stdin on
// /dev/null; returns the child's pid (-1 on failure) and the pipe's read end in *out_fd.
// own_group: the child leads a new process group, so that a signal can reach all of it.
pid_t spawn(const std::vector<std::string>& argv, int* out_fd, bool own_group = false);

// Runs a command to completion and returns its output (short xl/xenstore queries).
std::string run_capture(const std::vector<std::string>& argv, int* status);

// Runs a command that must not hold up the agent for long (xenctx, for CTX): at most
// `limit_ms` and `max_bytes` of output.  The child leads its own process group, and the whole
// group is killed when either bound is reached.  *how says how it ended: "exit", "killed"
// (out of time) or "cut" (too much output; what came first is returned).
std::string run_bounded(const std::vector<std::string>& argv, long long limit_ms, size_t max_bytes,
                        int* status, std::string* how);

// A wait status as one number: the exit code, or 128 + the signal, as a shell reports it.
int exit_code(int status);

}  // namespace agent
