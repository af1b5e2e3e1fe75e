package server

import (
	"testing"
	"time"
)

// An account's block grows with each failure past the free ones, doubling
// up to the ceiling; an address is blocked for its window once it reaches
// its count.
func TestSignInThrottleDelays(t *testing.T) {
	th := DefaultSignInThrottle
	for n, want := range map[int]time.Duration{
		1: 0, 5: 0, 6: 30 * time.Second, 7: time.Minute, 8: 2 * time.Minute, 10: 8 * time.Minute, 11: 15 * time.Minute, 60: 15 * time.Minute,
	} {
		if got := th.accountBlock(n); got != want {
			t.Errorf("account with %d failures: blocked %v, want %v", n, got, want)
		}
	}
	if th.addressBlock(99) != 0 || th.addressBlock(100) != 15*time.Minute {
		t.Errorf("address: %v at 99, %v at 100", th.addressBlock(99), th.addressBlock(100))
	}
	if got := (&SignInDelayed{RetryAfter: 1500 * time.Millisecond}).seconds(); got != 2 {
		t.Errorf("Retry-After rounds up: %d", got)
	}
}
