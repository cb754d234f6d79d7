package netstack

import (
	"fmt"
	"sync"
	"testing"
)

func TestLoggerKeepsOrderAndDrainsOnClose(t *testing.T) {
	var got []string
	l := newLogger(func(f string, a ...any) { got = append(got, fmt.Sprintf(f, a...)) })
	for i := 0; i < 50; i++ {
		l.log(fmt.Sprint("line ", i))
	}
	l.close()
	l.log("after close")
	if len(got) != 50 || got[0] != "line 0" || got[49] != "line 49" {
		t.Errorf("%d lines: %q ... ", len(got), got[:3])
	}
}

func TestLoggerCountsWhatASlowConsoleMisses(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var got []string
	l := newLogger(func(f string, a ...any) {
		<-release // a console that does not take anything yet
		mu.Lock()
		got = append(got, fmt.Sprintf(f, a...))
		mu.Unlock()
	})
	// One line is taken by the goroutine and waits in the console; the queue holds
	// logQueueLen more; the rest are missed, and never block the caller.
	total := logQueueLen + 1 + 30
	for i := 0; i < total; i++ {
		l.log(fmt.Sprint("line ", i))
	}
	close(release)
	l.close()
	mu.Lock()
	defer mu.Unlock()
	last := got[len(got)-1]
	printed := len(got) - 1
	if printed+30 != total && printed+31 != total { // the goroutine may not have taken line 0 yet
		t.Errorf("%d lines printed of %d", printed, total)
	}
	if want := fmt.Sprintf("%d log lines not printed: the console could not keep up", total-printed); last != want {
		t.Errorf("last line %q, want %q", last, want)
	}
}
