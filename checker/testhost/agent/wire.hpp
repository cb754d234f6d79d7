// wire — the agent's side of the line to the checker: one text line per message, payloads hex.
//
// Shared by every part of the agent (dom0_agent.cpp and the network commands), so that all of
// them frame their replies the same way; the message list is in dom0_agent.cpp's header.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace agent {

extern int g_line_out;  // where replies go: the serial line, or stdout (set by main)

long long now_ms();  // CLOCK_MONOTONIC in milliseconds
void write_all(int fd, const char* p, size_t n);
std::string hex(const char* p, size_t n);
inline std::string hex(const std::string& s) { return hex(s.data(), s.size()); }
std::string unhex(const std::string& s);
void send_line(const std::string& line);
void send_error(const std::string& msg);  // @ERR <hex msg>
std::vector<std::string> split(const std::string& s);
std::string trim(std::string s);

}  // namespace agent
