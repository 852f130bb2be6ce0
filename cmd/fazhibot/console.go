package main

import (
	"context"
	"fazhibot/accounts"
	"fazhibot/console"
	"fmt"
	"net"
	"sync"

	"fazhibot/bot"
	"fazhibot/handlers"
	"fazhibot/knowledge"
	"fazhibot/storage/sqldb"
)

// consoleOptions wires the staff console of serve: the database, the
// admin settings, report parsing and the draft index for staff, the live
// base for comparisons, the reload hook and, on a database without
// accounts, the one-time setup token.
func consoleOptions(a *app, lib *knowledge.Library, reloader *kbReloader, setupToken string) handlers.ConsoleOptions {
	drafts := &draftCache{db: a.db, lib: a.newLibrary()}
	return handlers.ConsoleOptions{
		DB:            a.db,
		Approval:      a.cfg.Admin.Approval,
		SessionTTL:    a.cfg.Admin.SessionTTL,
		SecureCookies: a.cfg.Admin.SecureCookies,
		SetupToken:    setupToken,
		Parse:         a.parseStated, // serialised, with the draft's term lists
		Draft:         drafts.base,
		Live:          lib.Current,
		Published:     reloader.reload,
		Announcer:     reloader.notify, // nil without Redis
		NewDialogue: func(k bot.Knowledge, sessions bot.SessionStore) (*bot.Dialogue, error) {
			return a.dialogue(func() bot.Knowledge { return k }, sessions, nil, nil)
		},
		MinConfidence:   a.cfg.Knowledge.MinConfidence,
		UploadTimeout:   a.cfg.Admin.UploadTimeout,
		MaxPreviewBytes: int64(a.cfg.Admin.MaxPreviewMB) << 20,
	}
}

// draftCache builds the draft's search index for the console and keeps it
// until the draft changes. Every change to the draft writes an audit entry
// (in the same transaction), so the newest audit ID is the cache key; the
// key also moves on changes that leave the draft alone (log-ins), which
// only costs a rebuild. One Library keeps the segmenter between builds.
type draftCache struct {
	db  *sqldb.DB
	lib *knowledge.Library

	mu   sync.Mutex
	key  console.AuditID
	have bool
	b    *knowledge.Base
}

func (c *draftCache) base(ctx context.Context) (*knowledge.Base, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	latest, err := c.db.Audit(ctx, 1, 0)
	if err != nil {
		return nil, fmt.Errorf("读取审计日志: %w", err)
	}
	var key console.AuditID
	if len(latest) > 0 {
		key = latest[0].ID
	}
	if c.have && key == c.key {
		return c.b, nil
	}
	content, err := c.db.Draft(ctx)
	if err != nil {
		return nil, fmt.Errorf("读取知识库草稿: %w", err)
	}
	b, err := c.lib.Load(content, 0)
	if err != nil {
		return nil, err
	}
	// Read before the draft, the key is never newer than what was built.
	c.key, c.have, c.b = key, true, b
	return b, nil
}

// setupTokenFor returns a fresh setup token when the database has no
// enabled admin account yet, else "".
func setupTokenFor(ctx context.Context, db *sqldb.DB) (string, error) {
	n, err := db.CountAdmins(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	return accounts.Generate() + accounts.Generate(), nil
}

// consoleBase is the console's address for the links serve prints: an
// unspecified listen address becomes localhost.
func consoleBase(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
