package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
	"fazhibot/publishing"
	"fazhibot/storage/sqldb"
)

// notifier announces published versions to the other instances and
// delivers their announcements (on publishing.Channel).
type notifier interface {
	Publish(ctx context.Context, channel, message string) error
	Subscribe(ctx context.Context, channel string) <-chan string
}

// kbReloader keeps a Library on the live version of the database: at
// start, when another instance announces a publish, and on a periodic
// check that catches announcements missed while Redis was away.
type kbReloader struct {
	db       *sqldb.DB
	lib      *knowledge.Library
	notify   notifier // nil with a single instance (no Redis)
	interval time.Duration
	log      *slog.Logger
}

// servingLibrary returns the library serve answers from: newLibrary's,
// keeping each published version's built index as a snapshot file under
// knowledge.cache_dir, so that a start or a reload of a version built
// before reads it instead of building it again. What happens to the
// snapshots goes to log.
func (a *app) servingLibrary(log *slog.Logger) *knowledge.Library {
	return knowledge.NewLibrary(knowledge.LibraryOptions{
		DictDir:       a.cfg.Knowledge.DictDir,
		MinConfidence: a.cfg.Knowledge.MinConfidence,
		MaxHits:       a.cfg.Knowledge.MaxHits,
		SnapshotDir:   filepath.Join(a.cfg.Knowledge.CacheDir, "index"),
		Log:           log,
	})
}

// check loads the live version when the Library does not serve it yet.
// Building happens while the old base keeps answering; the swap is atomic.
func (r *kbReloader) check(ctx context.Context) error {
	v, err := r.db.LiveVersion(ctx)
	if err != nil {
		return fmt.Errorf("读取已发布版本: %w", err)
	}
	if _, current := r.lib.Current(); current == int64(v.ID) {
		return nil
	}
	c, err := r.db.LoadVersion(ctx, v.ID)
	if err != nil {
		return fmt.Errorf("读取版本 %d: %w", v.ID, err)
	}
	start := time.Now()
	b, err := r.lib.Load(c, int64(v.ID))
	if err != nil {
		return err
	}
	reports, passages := b.Size()
	r.log.Info("knowledge base loaded", "version", v.ID, "reports", reports, "passages", passages,
		"from_snapshot", b.FromSnapshot(), "build_ms", time.Since(start).Milliseconds())
	return nil
}

// reload loads the live version right away; publishing calls it, with the
// version that just went live, before it announces the version.
func (r *kbReloader) reload(ctx context.Context, _ console.VersionID) error {
	return r.check(ctx)
}

// run reloads on announcements and on every interval until ctx is done.
func (r *kbReloader) run(ctx context.Context) {
	var announced <-chan string
	if r.notify != nil {
		announced = r.notify.Subscribe(ctx, publishing.Channel)
	}
	tick := time.NewTicker(r.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-announced:
			if !ok {
				announced = nil
				continue
			}
		case <-tick.C:
		}
		if err := r.check(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("checking for a published version failed", "err", err)
		}
	}
}
