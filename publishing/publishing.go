// Package publishing is the one way a knowledge-base version goes live, for
// the staff console, its API and the command line alike. A Service applies
// the rules (who may publish, approve and restore; what approval requires),
// has the store record the change with the actor's name in the audit log,
// reloads this process's knowledge base when it serves one, and announces
// the new version on Channel so that every running instance loads it at
// once.
package publishing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"fazhibot/console"
)

// Channel is the pub/sub channel on which a newly live version is
// announced; the message is the version ID in decimal.
const Channel = "kb-published"

// Store is what a Service needs of the database. Each method makes a
// version live in one transaction that also writes the audit entry naming
// actor, and returns the version that is now live. *sqldb.DB implements it.
type Store interface {
	Publish(ctx context.Context, actor, summary string) (console.Version, error)
	Approve(ctx context.Context, id console.VersionID, actor string) (console.Version, error)
	Restore(ctx context.Context, id console.VersionID, actor string) (console.Version, error)
}

// Announcer tells the other instances about a new version; the Redis store
// implements it. Publish returns an error when the message could not be
// sent.
type Announcer interface {
	Publish(ctx context.Context, channel, message string) error
}

// Options configures a Service. Store is required.
type Options struct {
	Store Store
	// RequireApproval makes staff (non-admins) unable to publish: they
	// submit, and an admin approves.
	RequireApproval bool
	// Reload, when set, loads version id into this process's knowledge
	// base before the announcement (a serving instance sets it).
	Reload func(ctx context.Context, id console.VersionID) error
	// Announcer, when set (Redis is configured), receives the announcement.
	Announcer Announcer
	// Log receives a warning when the announcement fails; slog.Default if
	// nil.
	Log *slog.Logger
}

// Service makes versions live. It is safe for concurrent use when its
// Store, Reload and Announcer are.
type Service struct {
	store           Store
	requireApproval bool
	reload          func(ctx context.Context, id console.VersionID) error
	announcer       Announcer
	log             *slog.Logger
}

// New returns a Service, or an error when opts.Store is nil.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("publishing: Store is required")
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Service{store: opts.Store, requireApproval: opts.RequireApproval,
		reload: opts.Reload, announcer: opts.Announcer, log: opts.Log}, nil
}

// Live is the outcome of making a version live. The version is live in the
// database whenever the call returned no error; ReloadErr and AnnounceErr
// report what did not follow (this instance, or the others, then pick the
// version up on their periodic check).
type Live struct {
	Version     console.Version
	ReloadErr   error // loading into this process failed
	AnnounceErr error // telling the other instances failed
}

// CanPublish reports whether a may publish the draft directly: admins
// always, staff only when no approval is required.
func (s *Service) CanPublish(a console.Actor) bool {
	return a.Admin() || !s.requireApproval
}

// Publish snapshots the draft as the live version, with summary. It
// returns console.ErrNotAllowed when a may not publish, and the store's errors
// (console.ErrInvalid for an empty draft).
func (s *Service) Publish(ctx context.Context, a console.Actor, summary string) (Live, error) {
	if !s.CanPublish(a) {
		return Live{}, console.ErrNotAllowed
	}
	v, err := s.store.Publish(ctx, a.Name, summary)
	if err != nil {
		return Live{}, err
	}
	return s.wentLive(ctx, v), nil
}

// Approve makes the pending version id live. It returns console.ErrNotAllowed for
// non-admins and the store's errors (console.ErrConflict when id is not
// pending, console.ErrNotFound).
func (s *Service) Approve(ctx context.Context, a console.Actor, id console.VersionID) (Live, error) {
	if !a.Admin() {
		return Live{}, console.ErrNotAllowed
	}
	v, err := s.store.Approve(ctx, id, a.Name)
	if err != nil {
		return Live{}, err
	}
	return s.wentLive(ctx, v), nil
}

// Restore makes the once-published version id live again, as a new
// version. It returns console.ErrNotAllowed for non-admins and the store's errors
// (console.ErrInvalid when id was never published, console.ErrNotFound).
func (s *Service) Restore(ctx context.Context, a console.Actor, id console.VersionID) (Live, error) {
	if !a.Admin() {
		return Live{}, console.ErrNotAllowed
	}
	v, err := s.store.Restore(ctx, id, a.Name)
	if err != nil {
		return Live{}, err
	}
	return s.wentLive(ctx, v), nil
}

// wentLive reloads v here and announces it to the others. The
// announcement goes out even when the reload failed: the others may well
// succeed.
func (s *Service) wentLive(ctx context.Context, v console.Version) Live {
	res := Live{Version: v}
	if s.reload != nil {
		if err := s.reload(ctx, v.ID); err != nil {
			res.ReloadErr = fmt.Errorf("reload version %d: %w", v.ID, err)
		}
	}
	if s.announcer != nil {
		if err := s.announcer.Publish(ctx, Channel, strconv.FormatInt(int64(v.ID), 10)); err != nil {
			res.AnnounceErr = fmt.Errorf("announce version %d: %w", v.ID, err)
			s.log.Warn("announcing a published version failed", "version", v.ID, "err", err)
		}
	}
	return res
}
