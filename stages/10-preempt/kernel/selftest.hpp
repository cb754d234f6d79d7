// Demonstrations chosen on the command line ("selftest=..."), each a checker scenario.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

namespace kernel::selftest {

// Runs the selftest named by "selftest=" in the command line, if any; does not return then.
void run_if_requested(const char* cmdline);

}  // namespace kernel::selftest
