package main

// A small TCP proxy for the fault tests: the program under test connects to
// the proxy's port instead of a shared server, and the test cuts and
// restores the proxy to simulate an outage of that server without touching
// it (other engineers' tests keep using it).

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// tcpProxy forwards every connection accepted on its address to target.
// Cut is an outage: it closes every forwarded connection and the listener,
// so new connections are refused (ECONNREFUSED); Restore listens again on
// the same address. Its methods are safe for concurrent use.
type tcpProxy struct {
	t      testing.TB
	target string
	addr   string // fixed for the proxy's life, so clients need no new address

	mu     sync.Mutex
	ln     net.Listener // nil while cut
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// newTCPProxy starts a proxy to target on a free loopback port. It is
// closed when t ends.
func newTCPProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *tcpProxy) Addr() string { return p.addr }

// serve makes ln the proxy's listener and accepts on it until it is closed.
func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by Cut or close
			}
			p.wg.Go(func() { p.forward(c) })
		}
	})
}

// forward connects c to the target and copies both ways until either side
// ends or Cut closes both.
func (p *tcpProxy) forward(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		c.Close()
		up.Close()
		return
	}
	defer p.untrack(c, up)
	var once sync.Once
	closeBoth := func() { once.Do(func() { c.Close(); up.Close() }) }
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(up, c); closeBoth() })
	wg.Go(func() { _, _ = io.Copy(c, up); closeBoth() })
	wg.Wait()
}

// track registers a forwarded pair; it fails while the proxy is cut (the
// connection was accepted just before Cut closed the listener) or closed.
func (p *tcpProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil || p.closed {
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.conns, c)
	}
}

// Cut starts an outage: the listener is closed, so new connections are
// refused, and every forwarded connection is closed on both sides.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		// A reset rather than an orderly close, as when a server dies.
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}
	clear(p.conns)
}

// Restore ends an outage: the proxy listens on its address again. Binding
// the same port is retried for a few seconds (Go sets SO_REUSEADDR).
func (p *tcpProxy) Restore() {
	p.t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var ln net.Listener
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return
		}
	}
	p.t.Fatalf("tcp proxy: listening on %s again: %v", p.addr, err)
}

// close cuts the proxy for good and waits for its goroutines.
func (p *tcpProxy) close() {
	p.Cut()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
}

// TestTCPProxy checks the proxy itself against a local echo server:
// forwarding, refusal and cut connections during an outage, and recovery
// on the same port.
func TestTCPProxy(t *testing.T) {
	t.Parallel()
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	p := newTCPProxy(t, echo.Addr().String())

	roundTrip := func(c net.Conn, msg string) error {
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte(msg)); err != nil {
			return err
		}
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(c, buf); err != nil {
			return err
		}
		if string(buf) != msg {
			return errors.New("echo " + string(buf) + ", want " + msg)
		}
		return nil
	}
	before, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	if err := roundTrip(before, "hello"); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}

	p.Cut()
	if err := roundTrip(before, "again"); err == nil {
		t.Error("a connection survived the cut")
	}
	if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("the cut proxy accepted a connection")
	}

	p.Restore()
	after, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("after Restore: %v", err)
	}
	defer after.Close()
	if err := roundTrip(after, "back"); err != nil {
		t.Fatalf("after Restore: %v", err)
	}
}
