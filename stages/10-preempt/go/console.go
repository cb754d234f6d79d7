// Reading the console: the 2016 report's fragment 6 and the checker's console scenarios.  Go's
// os.Stdin is file descriptor 0; the kernel's line discipline echoes, edits and ends lines, so a
// read returns one finished line at a time.
package main

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// [book:greet]
// The report's fragment 6: ask for a name, read one line, greet.
func greet() {
	reader := bufio.NewReader(os.Stdin)
	fmt.Print("Hello, what's your name? ")
	name, err := reader.ReadString('\n')
	if err != nil {
		// ^D at the start of the line: read(0) returned 0, which Go reports as io.EOF.
		fmt.Printf("\nno name: reading stdin ended with %v (after %q)\n", err, name)
		return
	}
	fmt.Printf("Hello, %s\n", strings.TrimSuffix(name, "\n"))
}

// [book:greet-end]

// The report's "read from console" test: every line back, numbered, until "bye" or the end.
func readLines() {
	fmt.Println("type lines; \"bye\" ends")
	scanner := bufio.NewScanner(os.Stdin)
	n := 0
	for scanner.Scan() {
		line := scanner.Text()
		if line == "bye" {
			break
		}
		n++
		fmt.Printf("line %d: %q (%d bytes)\n", n, line, len(line))
	}
	fmt.Printf("%d lines read\n", n)
}

// A large paste: lines until "END", then how many, how long and their CRC-32, which the
// checker compares with what it sent (checker/payload.py).
func readPaste() {
	fmt.Println("paste lines; END ends")
	reader := bufio.NewReader(os.Stdin)
	crc := crc32.NewIEEE()
	lines, size := 0, 0
	for {
		line, err := reader.ReadString('\n')
		if line == "END\n" || err == io.EOF {
			break
		}
		if err != nil {
			fmt.Printf("read error: %v\n", err)
			return
		}
		crc.Write([]byte(line))
		lines++
		size += len(line)
	}
	fmt.Printf("read %d lines, %d bytes, crc32 %08x\n", lines, size, crc.Sum32())
}

// Input while time passes: a goroutine ticks five times while the main goroutine is blocked
// in read(0); the kernel must keep running it.
func tickWhileReading() {
	fmt.Println("type your name while the clock ticks")
	done := make(chan int)
	go func() {
		for i := 1; i <= 5; i++ {
			time.Sleep(100 * time.Millisecond)
			fmt.Printf("tick %d\n", i)
		}
		done <- 5
	}()
	name, err := bufio.NewReader(os.Stdin).ReadString('\n')
	ticks := <-done
	if err != nil {
		fmt.Printf("no name: %v\n", err)
		return
	}
	fmt.Printf("Hello, %s; %d ticks went by while you typed\n", strings.TrimSuffix(name, "\n"), ticks)
}

// The same prompt with fd 0 in non-blocking mode: os.NewFile then hands it to the netpoller,
// so the read waits in epoll_pwait for fd 0 to become readable instead of in read(0).
func greetNonblocking() {
	if err := syscall.SetNonblock(0, true); err != nil {
		fmt.Printf("SetNonblock(0): %v\n", err)
		return
	}
	stdin := os.NewFile(0, "stdin (non-blocking)")
	fmt.Print("Hello, what's your name? ")
	name, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil {
		fmt.Printf("\nno name: %v\n", err)
		return
	}
	fmt.Printf("Hello, %s (read through the netpoller)\n", strings.TrimSuffix(name, "\n"))
}
