package main

import (
	"fmt"
	"os"
	"os/signal"
)

// interrupt: ^C typed on the console with signal.Notify waiting for it.  The line discipline
// turns ^C into SIGINT for the program; signal.Notify installed Go's handler for SIGINT (a
// c-archive has none until then), so the kernel delivers the signal: the thread blocked in
// futex is woken with EINTR and takes the signal on its way out of the kernel, Go's handler
// queues it (runtime.sigsend), and the goroutine below receives it from the channel and
// shuts down cleanly: Main returns and the domain powers off.  Without signal.Notify (the
// ctrl-c scenario) the same ^C takes SIGINT's default action: the program ends at once.
func interruptible() {
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	fmt.Println("waiting for SIGINT with signal.Notify: press Ctrl-C")
	got := <-interrupts
	fmt.Printf("received %v: shutting down cleanly\n", got)
	signal.Stop(interrupts)
}
