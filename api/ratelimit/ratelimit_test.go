package ratelimit_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/api/ratelimit"
)

func TestSet(t *testing.T) {
	l := ratelimit.New(time.Hour, 2)
	for i := range 2 {
		if ok, _ := l.Take("a"); !ok {
			t.Fatalf("take %d refused within the burst", i)
		}
	}
	ok, wait := l.Take("a")
	if ok || wait <= 0 {
		t.Errorf("take past the burst = %v, %v; want refused with a wait", ok, wait)
	}
	if ok, _ := l.Take("b"); !ok {
		t.Error("another key was refused")
	}
	if limited, _ := l.Exhausted("a"); !limited {
		t.Error("Exhausted(a) = false after the burst")
	}
}
