// Starting the Go runtime the way a C program's startup code would: build argc/argv/envp/auxv,
// then call the archive's .init_array entries -- the runtime's initialiser
// _rt0_amd64_linux_lib is one of them -- on a thread of their own, "initialize_go".
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

namespace kernel::rt0 {

// Runs .init_array on thread "initialize_go" and returns once it has finished (the calling
// thread blocks meanwhile, so the scheduler runs whatever the initialiser starts).  The words
// of the command line that are not kernel options ("selftest=", "strace=") become argv[1..].
void run_init_array(const char* cmdline);
// Adds "NAME=value" to the environment Go starts with (the network card's settings).
// The text is copied; false when the environment is full.  Call before run_init_array().
bool add_environment(const char* entry);

}  // namespace kernel::rt0
