package handlers

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"
)

const (
	// maxLoginFailures failed log-ins per name and address within
	// loginWindow block further attempts for that name from that address
	// until the oldest failure ages out.
	maxLoginFailures = 5
	// maxAddressFailures failed log-ins from one address within
	// loginWindow, whatever the names, block every attempt from it: rotating
	// names does not get around the limit.
	maxAddressFailures = 20
	loginWindow        = 15 * time.Minute
	// maxThrottleKeys bounds the throttle's memory (names per address and
	// addresses). When it is full of failures still within the window, an
	// attempt that would need a new entry is refused: the throttle refuses
	// rather than forgets, so no volume of failures unlocks a locked name.
	maxThrottleKeys = 10000
	// passwordCheckWait is how long a log-in waits for a free password
	// check before it is refused with 429.
	passwordCheckWait = 250 * time.Millisecond
)

// maxPasswordChecks is how many password (bcrypt) checks run at once: a
// quarter of the CPUs Go uses, at least one, so that log-in attempts never
// take the CPU the WeChat callback needs.
func maxPasswordChecks() int { return max(1, runtime.GOMAXPROCS(0)/4) }

// loginThrottle guards the log-in form: it counts failed log-ins per name
// and address and per address, and bounds the password checks running at
// once. Its state is in memory: per instance, and forgotten on restart. It
// is safe for concurrent use.
type loginThrottle struct {
	limit        int // failures per name and address
	addressLimit int // failures per address, across names
	window       time.Duration
	maxKeys      int
	now          func() time.Time
	checks       chan struct{} // one token per running password check

	mu    sync.Mutex
	fails map[string][]time.Time // failure times within the window, oldest first
}

// newLoginThrottle returns a throttle that blocks a name and address after
// limit failures within window, an address after maxAddressFailures, and
// runs maxPasswordChecks password checks at once.
func newLoginThrottle(limit int, window time.Duration, now func() time.Time) *loginThrottle {
	return &loginThrottle{
		limit:        limit,
		addressLimit: maxAddressFailures,
		window:       window,
		maxKeys:      maxThrottleKeys,
		now:          now,
		checks:       make(chan struct{}, maxPasswordChecks()),
		fails:        map[string][]time.Time{},
	}
}

// throttleKeys are the two counters of an attempt: name and address, and
// address alone. Names are compared case-insensitively.
func throttleKeys(name, addr string) (nameKey, addrKey string) {
	return "n\x00" + strings.ToLower(name) + "\x00" + addr, "a\x00" + addr
}

// blocked returns how long an attempt for name from addr must wait before
// it may be checked, or 0: while either counter is at its limit, or while
// the throttle is full and the attempt's counters are not in it.
func (t *loginThrottle) blocked(name, addr string) time.Duration {
	nameKey, addrKey := throttleKeys(name, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := max(t.wait(nameKey, t.limit, now), t.wait(addrKey, t.addressLimit, now))
	if wait > 0 {
		return wait
	}
	need := 0 // new entries a failure of this attempt would take
	for _, key := range []string{nameKey, addrKey} {
		if t.fails[key] == nil {
			need++
		}
	}
	if need > 0 && len(t.fails)+need > t.maxKeys {
		if next := t.sweep(now); len(t.fails)+need > t.maxKeys {
			return next
		}
	}
	return 0
}

// wait returns how long key must wait under limit failures, or 0.
func (t *loginThrottle) wait(key string, limit int, now time.Time) time.Duration {
	times := t.recent(key, now)
	if len(times) < limit {
		return 0
	}
	return times[len(times)-limit].Add(t.window).Sub(now)
}

// fail records a failed attempt for name from addr. A counter that does not
// fit any more is not recorded; blocked then refuses its attempts.
func (t *loginThrottle) fail(name, addr string) {
	nameKey, addrKey := throttleKeys(name, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, key := range []string{addrKey, nameKey} {
		times := t.recent(key, now)
		if times == nil && len(t.fails) >= t.maxKeys {
			if t.sweep(now); len(t.fails) >= t.maxKeys {
				continue
			}
		}
		t.fails[key] = append(times, now)
	}
}

// succeed forgets the failures of name from addr after a successful
// log-in. The address's count stays: an account of one's own does not
// buy more guesses at others.
func (t *loginThrottle) succeed(name, addr string) {
	nameKey, _ := throttleKeys(name, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, nameKey)
}

// acquire waits up to passwordCheckWait (or until ctx is done) for a free
// password check. ok is false when none came free; otherwise the caller
// must call release once the check is done.
func (t *loginThrottle) acquire(ctx context.Context) (release func(), ok bool) {
	select {
	case t.checks <- struct{}{}:
		return t.release, true
	default:
	}
	timer := time.NewTimer(passwordCheckWait)
	defer timer.Stop()
	select {
	case t.checks <- struct{}{}:
		return t.release, true
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (t *loginThrottle) release() { <-t.checks }

// recent returns key's failures within the window, dropping older ones
// (and key itself when none is left). t.mu must be held.
func (t *loginThrottle) recent(key string, now time.Time) []time.Time {
	times, ok := t.fails[key]
	if !ok {
		return nil
	}
	i := 0
	for i < len(times) && !times[i].Add(t.window).After(now) {
		i++
	}
	if i == len(times) {
		delete(t.fails, key)
		return nil
	}
	times = times[i:]
	t.fails[key] = times
	return times
}

// sweep drops the failures that aged out of the window and returns how
// long until the next one does (the window when none is left). t.mu must
// be held.
func (t *loginThrottle) sweep(now time.Time) time.Duration {
	next := t.window
	for key := range t.fails {
		if times := t.recent(key, now); times != nil {
			next = min(next, times[0].Add(t.window).Sub(now))
		}
	}
	return next
}

// clientIP is the address the request came from, as the throttle counts
// it: an IPv4 address, or the /64 network of an IPv6 address (one
// subscriber's usual allocation). Forwarding headers are not trusted:
// behind a reverse proxy every client shares the proxy's address, and the
// throttle then counts all of them together.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
