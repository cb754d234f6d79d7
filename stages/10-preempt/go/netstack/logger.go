package netstack

import "sync"

// The stack's log lines go to Config.Logf from a goroutine of their own, through a bounded
// queue.  The guest's console is slow (a few kilobytes a second): written from the frame loop,
// one line per echo request would let a ping flood run at the console's pace and stall
// everything else.  Queued, the frame loop never waits; when the console falls more than
// logQueueLen lines behind, further lines are counted instead, and a line saying how many
// follows once the queue has drained.  Close prints what is queued before it returns, so the
// log is complete before the caller's last words.

const logQueueLen = 128

type logger struct {
	logf    func(format string, args ...any)
	mu      sync.Mutex // guards closed and missed against log and close
	closed  bool
	missed  int
	lines   chan string
	drained chan struct{}
}

func newLogger(logf func(format string, args ...any)) *logger {
	l := &logger{logf: logf, lines: make(chan string, logQueueLen), drained: make(chan struct{})}
	go l.run()
	return l
}

func (l *logger) run() {
	defer close(l.drained)
	for line := range l.lines {
		l.logf("%s", line)
		l.reportMissed(len(l.lines) == 0)
	}
	l.reportMissed(true)
}

// reportMissed prints how many lines were not queued, once the queue is empty.
func (l *logger) reportMissed(empty bool) {
	if !empty {
		return
	}
	l.mu.Lock()
	n := l.missed
	l.missed = 0
	l.mu.Unlock()
	if n > 0 {
		l.logf("%d log lines not printed: the console could not keep up", n)
	}
}

// log queues a line, or counts it if the queue is full or the logger closed.
func (l *logger) log(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	select {
	case l.lines <- line:
	default:
		l.missed++
	}
}

// close prints what is queued and stops the goroutine.
func (l *logger) close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.lines)
	}
	l.mu.Unlock()
	<-l.drained
}
