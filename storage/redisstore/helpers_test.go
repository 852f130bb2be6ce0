package redisstore

import (
	"context"
	"crypto/rand"
	"fazhibot/internal/testenv"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// sharedAddr is the Redis every engineer's tests share (DB 0). Tests use a
// unique key prefix each and delete only their own keys.
const sharedAddr = testenv.RedisAddr

// requireOrSkip is testenv.RequireOrSkip.
func requireOrSkip(t testing.TB, reason string) {
	t.Helper()
	testenv.RequireOrSkip(t, reason)
}

// sharedURL returns the URL of the shared Redis, skipping or failing t
// when it is unreachable.
func sharedURL(t testing.TB) string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: sharedAddr, DialTimeout: time.Second, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		requireOrSkip(t, fmt.Sprintf("the shared Redis at %s is unreachable: %v", sharedAddr, err))
	}
	return "redis://" + sharedAddr + "/0"
}

// testPrefix returns a key prefix unique to this run of t, made only of
// characters that are not glob-special in SCAN MATCH.
func testPrefix(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '/', r == '_', r == '-':
			return r
		}
		return '_'
	}, t.Name())
	return "fazhibot-test:" + name + ":" + rand.Text()[:10] + ":"
}

// deleteKeys removes every key under prefix from the Redis at addr.
func deleteKeys(t testing.TB, addrs []string, prefix string) {
	t.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	del := func(ctx context.Context, node redis.UniversalClient) error {
		iter := node.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			if err := node.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return del(ctx, node) })
	} else {
		err = del(ctx, c)
	}
	if err != nil {
		t.Logf("cleaning up keys %s*: %v", prefix, err)
	}
}

// openShared opens a Store on the shared Redis with a key prefix of its
// own, and deletes its keys and closes it when t ends.
func openShared(t testing.TB) *Store {
	t.Helper()
	return openAt(t, sharedURL(t), []string{sharedAddr})
}

// openAt opens a Store on url with a unique key prefix; cleanup deletes
// the keys under that prefix on the nodes addrs and closes the Store.
func openAt(t testing.TB, url string, addrs []string) *Store {
	t.Helper()
	prefix := testPrefix(t)
	s, err := Open(t.Context(), url, Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatalf("Open(%s): %v", url, err)
	}
	t.Cleanup(func() {
		deleteKeys(t, addrs, prefix)
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// rawClient returns a plain client of the Redis at addr, closed when t
// ends.
func rawClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// redisServer is a private redis-server process started by a test.
type redisServer struct {
	t    testing.TB
	port string
	dir  string
	args []string
	cmd  *exec.Cmd
}

// needRedisServer returns the path of the redis-server binary, skipping
// or failing t when there is none.
func needRedisServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		requireOrSkip(t, "redis-server is not installed: "+err.Error())
	}
	return path
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// newRedisServer prepares, without starting, a private redis-server on a
// free port that persists nothing. extra are more server arguments.
func newRedisServer(t testing.TB, extra ...string) *redisServer {
	t.Helper()
	needRedisServer(t)
	srv := &redisServer{t: t, port: freePort(t), dir: t.TempDir()}
	srv.args = append([]string{
		"--port", srv.port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no",
		"--dir", srv.dir, "--logfile", filepath.Join(srv.dir, "redis.log"),
	}, extra...)
	t.Cleanup(srv.stop)
	return srv
}

func (srv *redisServer) addr() string { return "127.0.0.1:" + srv.port }

// start starts the server and waits until it answers PING.
func (srv *redisServer) start() {
	t := srv.t
	t.Helper()
	srv.cmd = exec.Command("redis-server", srv.args...)
	if err := srv.cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: srv.addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
	}
	log, _ := os.ReadFile(filepath.Join(srv.dir, "redis.log"))
	t.Fatalf("redis-server on port %s did not answer: %v\nlog:\n%s", srv.port, err, log)
}

// stop kills the server, if it runs, and waits for it to exit.
func (srv *redisServer) stop() {
	if srv.cmd == nil {
		return
	}
	_ = srv.cmd.Process.Kill()
	_ = srv.cmd.Wait()
	srv.cmd = nil
}

// eventually polls f every 50ms until it returns nil or timeout passes,
// and returns its last error.
func eventually(timeout time.Duration, f func() error) error {
	var err error
	for deadline := time.Now().Add(timeout); ; time.Sleep(50 * time.Millisecond) {
		if err = f(); err == nil || time.Now().After(deadline) {
			return err
		}
	}
}
