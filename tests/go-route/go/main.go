// The Go half of the go-route test: exercises a broad set of the runtime's and the standard
// library's system calls, so that the C half (main.c) can check that each of them went through
// the kernel entry unigornel_syscall and none bypassed it with a raw SYSCALL.
//
// Built with -buildmode=c-archive against a patched GOROOT; RouteMain is called by main.c.
package main

import "C"

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// RouteMain runs every exercise and returns the number that failed.
//
//export RouteMain
func RouteMain() C.int {
	failures := 0
	check := func(what string, err error) {
		if err != nil {
			failures++
			fmt.Printf("go-route: FAIL %s: %v\n", what, err)
		} else {
			fmt.Printf("go-route: ok   %s\n", what)
		}
	}
	check("stdout (fmt.Println, os.Stdout.Write)", stdout())
	check("files (os.MkdirTemp, WriteFile, ReadFile, Stat, ReadDir, Remove)", files())
	check("time (time.Now, time.Sleep, timers, syscall.Gettimeofday)", clock())
	check("goroutines on several threads (channels, sync, runtime.GC, a thread exit)", goroutines())
	check("process (Getpid, Getrlimit, Getwd, Uname)", process())
	check("fork/exec refused with ENOSYS", execRefused())
	if err := loopback(); err != nil {
		// Sockets may be missing in a sandbox: report, but do not count it.
		fmt.Printf("go-route: skip tcp over 127.0.0.1: %v\n", err)
	} else {
		fmt.Println("go-route: ok   tcp over 127.0.0.1 (socket, bind, listen, accept4, connect)")
	}
	return C.int(failures)
}

func stdout() error {
	if _, err := fmt.Println("go-route: hello from Go through the kernel entry"); err != nil {
		return err
	}
	_, err := os.Stdout.Write([]byte("go-route: os.Stdout.Write\n"))
	return err
}

func files() error {
	dir, err := os.MkdirTemp("", "go-route-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "data.txt")
	want := "routed through unigornel_syscall\n"
	if err := os.WriteFile(name, []byte(want), 0o600); err != nil {
		return err
	}
	got, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if string(got) != want {
		return fmt.Errorf("read back %q", got)
	}
	if fi, err := os.Stat(name); err != nil || fi.Size() != int64(len(want)) {
		return fmt.Errorf("stat: %v", err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		return fmt.Errorf("readdir: %d entries, %v", len(entries), err)
	}
	return os.Remove(name)
}

func clock() error {
	start := time.Now()
	time.Sleep(20 * time.Millisecond) // the netpoller's first timer: epoll_create1, epoll_ctl, epoll_pwait
	timer := time.NewTimer(5 * time.Millisecond)
	<-timer.C
	if d := time.Since(start); d < 25*time.Millisecond {
		return fmt.Errorf("slept only %v", d)
	}
	var tv syscall.Timeval
	if err := syscall.Gettimeofday(&tv); err != nil {
		return err
	}
	if now := time.Now().Unix(); tv.Sec < now-5 || tv.Sec > now+5 {
		return fmt.Errorf("gettimeofday %d, time.Now %d", tv.Sec, now)
	}
	return nil
}

func goroutines() error {
	runtime.GOMAXPROCS(4)
	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	ch := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range ch {
				mu.Lock()
				total += v
				mu.Unlock()
				runtime.Gosched()
			}
		}()
	}
	// Locked goroutines force extra threads (Ms, each a pthread in a cgo program). The first
	// one exits still locked, so its thread ends: mexit returns to the pthread start routine,
	// and must not reach exitThread's raw SYSCALL (the patched exitThread would throw).
	done := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func(keepLocked bool) {
			runtime.LockOSThread()
			if !keepLocked {
				defer runtime.UnlockOSThread()
			}
			time.Sleep(time.Millisecond)
			done <- struct{}{}
		}(i == 0)
	}
	for i := 1; i <= workers*rounds; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
	for i := 0; i < 3; i++ {
		<-done
	}
	runtime.GC()
	n := workers * rounds
	if total != n*(n+1)/2 {
		return fmt.Errorf("sum %d", total)
	}
	return nil
}

func process() error {
	if pid := syscall.Getpid(); pid != os.Getpid() || pid <= 0 {
		return fmt.Errorf("getpid %d", pid)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return err
	}
	if _, err := os.Getwd(); err != nil { // may answer from $PWD without a system call
		return err
	}
	if _, err := syscall.Getwd(); err != nil {
		return err
	}
	var u syscall.Utsname
	return syscall.Uname(&u)
}

// With the kernel entry set, forkAndExecInChild refuses before reaching the raw vfork.
func execRefused() error {
	err := exec.Command("/bin/true").Run()
	if !errors.Is(err, syscall.ENOSYS) {
		return fmt.Errorf("exec /bin/true: %v, want ENOSYS", err)
	}
	return nil
}

func loopback() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	accepted := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, err = c.Write([]byte("pong"))
			c.Close()
		}
		accepted <- err
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 4)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(buf); err != nil || string(buf) != "pong" {
		return fmt.Errorf("read %q: %v", buf, err)
	}
	return <-accepted
}

// A c-archive needs a main function; it is never called.
func main() {}
