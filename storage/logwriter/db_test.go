package logwriter_test

import (
	"bytes"
	"context"
	"database/sql"
	"fazhibot/console"
	"fazhibot/internal/testenv"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"fazhibot/storage/logwriter"
	"fazhibot/storage/postgres"
	"fazhibot/storage/sqldb"
	"fazhibot/storage/sqlite"
)

// testURL is the shared PostgreSQL test database (DEVELOPERS.md); every
// test works in a schema of its own.
const testURL = testenv.PostgresURL

// newSchema creates an empty schema, dropped at cleanup, and returns a
// connection URL that uses it, with the host and port replaced by addr
// when addr is not empty.
func newSchema(t *testing.T, addr string) string {
	t.Helper()
	url, _ := testenv.PostgresSchema(t, addr)
	return url
}

// target is a database the writer is tested on.
type target struct {
	name string
	open func(t *testing.T) *sqldb.DB
}

func targets() []target {
	return []target{
		{"sqlite", func(t *testing.T) *sqldb.DB {
			return openDB(t, sqlite.Open, filepath.Join(t.TempDir(), "kb.db"))
		}},
		{"postgres", func(t *testing.T) *sqldb.DB {
			return openDB(t, postgres.Open, newSchema(t, ""))
		}},
	}
}

func openDB(t *testing.T, open func(context.Context, string) (*sqldb.DB, error), loc string) *sqldb.DB {
	t.Helper()
	db, err := open(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countLogs(t *testing.T, db *sqldb.DB) (n int, distinct int) {
	t.Helper()
	seen := map[string]bool{}
	err := db.EachLog(t.Context(), console.LogFilter{}, func(r console.LogRecord) error {
		n++
		seen[r.Exchange] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, len(seen)
}

// TestNoLostRecords logs from 2000 goroutines at once; after Close every
// record is in the database, once.
func TestNoLostRecords(t *testing.T) {
	for _, tg := range targets() {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			db := tg.open(t)
			w := newWriter(t, db, logwriter.Options{UserSecret: []byte("test-secret-0123456789")})
			const sent = 2000
			var wg sync.WaitGroup
			for i := range sent {
				wg.Go(func() { w.Log(t.Context(), entry(i)) })
			}
			wg.Wait()
			closeWriter(t, w)
			wantStats(t, w, stats{written: sent})
			if n, distinct := countLogs(t, db); n != sent || distinct != sent {
				t.Errorf("%d records (%d distinct) in the database, want %d", n, distinct, sent)
			}
			d, err := db.Dashboard(t.Context(), entry(0).Time, entry(0).Time)
			if err != nil || d.Total.Messages != sent || d.Total.Questions != sent {
				t.Errorf("Dashboard totals %+v, %v; want %d messages and questions", d.Total, err, sent)
			}
		})
	}
}

// proxy forwards TCP connections to PostgreSQL until it is stopped, which
// cuts every connection and refuses new ones: a database outage for the
// clients behind it and no one else.
type proxy struct {
	addr string
	mu   sync.Mutex
	ln   net.Listener
	conn []net.Conn
}

func startProxy(t *testing.T) *proxy {
	t.Helper()
	p := &proxy{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", "127.0.0.1:5432")
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conn = append(p.conn, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// stop cuts the connections and stops listening.
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conn {
		c.Close()
	}
	p.conn = nil
}

// restart listens again on the same address.
func (p *proxy) restart(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

// TestPostgresOutage cuts the writer's database connections for a while
// Log calls go on: nothing blocks, and every record is written once the
// database is back.
func TestPostgresOutage(t *testing.T) {
	p := startProxy(t)
	url := newSchema(t, p.addr) + "&connect_timeout=2"
	db := openDB(t, postgres.Open, url)
	errs := make(chan error, 100)
	w := newWriter(t, db, logwriter.Options{
		BatchSize: 100, FlushInterval: 5 * time.Millisecond, WriteTimeout: 2 * time.Second,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnError: func(err error) {
			select {
			case errs <- err:
			default:
			}
		},
	})
	const sent = 3000
	for i := range sent / 3 {
		w.Log(t.Context(), entry(i))
	}
	waitFor(t, "the first records written", func() bool { _, _, written := w.Stats(); return written > 0 })

	p.stop()
	for i := sent / 3; i < 2*sent/3; i++ {
		w.Log(t.Context(), entry(i))
	}
	for range 2 { // failed attempts while the database is away
		select {
		case <-errs:
		case <-time.After(30 * time.Second):
			t.Fatal("no write failed during the outage")
		}
	}
	for i := 2 * sent / 3; i < sent; i++ {
		w.Log(t.Context(), entry(i))
	}
	if buffered, dropped, _ := w.Stats(); buffered == 0 || dropped != 0 {
		t.Errorf("during the outage: %d buffered, %d dropped; want some buffered, none dropped", buffered, dropped)
	}

	p.restart(t)
	closeWriter(t, w)
	wantStats(t, w, stats{written: sent})
	if n, distinct := countLogs(t, db); n != sent || distinct != sent {
		t.Errorf("%d records (%d distinct) in the database, want %d", n, distinct, sent)
	}
}

// TestSQLiteLocked holds the SQLite file's write lock from another
// connection, as another process would, while Log calls go on.
func TestSQLiteLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kb.db")
	db := openDB(t, sqlite.Open, path)
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 100)
	w := newWriter(t, db, logwriter.Options{
		BatchSize: 50, FlushInterval: 5 * time.Millisecond, WriteTimeout: 200 * time.Millisecond,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		OnError: func(err error) {
			select {
			case errs <- err:
			default:
			}
		},
	})
	const sent = 1000
	for i := range sent / 2 {
		w.Log(t.Context(), entry(i))
	}
	select {
	case <-errs:
	case <-time.After(30 * time.Second):
		t.Fatal("no write failed while the file was locked")
	}
	for i := sent / 2; i < sent; i++ {
		w.Log(t.Context(), entry(i))
	}
	if _, _, written := w.Stats(); written != 0 {
		t.Errorf("%d records written through the lock", written)
	}
	if _, err := conn.ExecContext(t.Context(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	closeWriter(t, w)
	wantStats(t, w, stats{written: sent})
	if n, _ := countLogs(t, db); n != sent {
		t.Errorf("%d records in the database, want %d", n, sent)
	}
}

// TestOpenIDNeverStored writes entries whose OpenID also appears in the
// store error, then searches the database files for it.
func TestOpenIDNeverStored(t *testing.T) {
	const openID = "oX7Zq-openid-never-stored-42"
	tests := []struct {
		storeOpenID bool
		wantFound   bool
	}{{false, false}, {true, true}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("store_openid=%v", tt.storeOpenID), func(t *testing.T) {
			dir := t.TempDir()
			db, err := sqlite.Open(t.Context(), filepath.Join(dir, "kb.db"))
			if err != nil {
				t.Fatal(err)
			}
			secret := []byte("0123456789abcdef")
			w := newWriter(t, db, logwriter.Options{UserSecret: secret, StoreOpenID: tt.storeOpenID})
			for i := range 20 {
				e := entry(i)
				e.User, e.StoreError = openID, "save session wechat:"+openID+": timeout"
				w.Log(t.Context(), e)
			}
			closeWriter(t, w)
			page, err := db.Logs(t.Context(), console.LogFilter{User: logwriter.Pseudonym(secret, openID)})
			if err != nil || len(page.Records) != 20 {
				t.Fatalf("records of the pseudonym: %d, %v; want 20", len(page.Records), err)
			}
			db.Close()
			found := false
			files, _ := filepath.Glob(filepath.Join(dir, "kb.db*"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				found = found || bytes.Contains(data, []byte(openID))
			}
			if found != tt.wantFound {
				t.Errorf("OpenID found in the database files: %v, want %v", found, tt.wantFound)
			}
		})
	}
}

// waitFor polls cond for up to 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
