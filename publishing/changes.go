package publishing

import (
	"context"
	"errors"
	"fmt"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// Reader is what the comparisons need of the database. *sqldb.DB
// implements it.
type Reader interface {
	Draft(ctx context.Context) (*knowledge.Content, error)
	Version(ctx context.Context, id console.VersionID) (console.Version, error)
	LiveVersion(ctx context.Context) (console.Version, error)
	PublishedBefore(ctx context.Context, id console.VersionID) (console.Version, error)
	LoadVersion(ctx context.Context, id console.VersionID) (*knowledge.Content, error)
}

// Comparison is what a content changes relative to the version it is
// compared with.
type Comparison struct {
	// Base is the version compared with; nil when there is none (nothing
	// was published before), and then everything counts as added.
	Base    *console.Version
	Changes Changes
}

// DraftChanges compares the draft with the live version: what publishing
// it would change.
func DraftChanges(ctx context.Context, r Reader) (Comparison, error) {
	draft, err := r.Draft(ctx)
	if err != nil {
		return Comparison{}, err
	}
	base, err := r.LiveVersion(ctx)
	return compare(ctx, r, base, err, draft)
}

// VersionChanges compares version id with the version it replaced or
// would replace: a published version with the one live before it went
// live, a pending or rejected one with the version live now (what
// approving it would change). It returns an error wrapping
// console.ErrNotFound when there is no version id.
func VersionChanges(ctx context.Context, r Reader, id console.VersionID) (console.Version, Comparison, error) {
	v, err := r.Version(ctx, id)
	if err != nil {
		return console.Version{}, Comparison{}, err
	}
	content, err := r.LoadVersion(ctx, id)
	if err != nil {
		return console.Version{}, Comparison{}, err
	}
	var base console.Version
	if v.Status == console.StatusPublished {
		base, err = r.PublishedBefore(ctx, id)
	} else {
		base, err = r.LiveVersion(ctx)
	}
	cmp, err := compare(ctx, r, base, err, content)
	return v, cmp, err
}

// compare diffs next against version base, fetched with error baseErr;
// ErrNotFound there means there is nothing to compare with.
func compare(ctx context.Context, r Reader, base console.Version, baseErr error, next *knowledge.Content) (Comparison, error) {
	if errors.Is(baseErr, console.ErrNotFound) {
		return Comparison{Changes: Diff(nil, next)}, nil
	}
	if baseErr != nil {
		return Comparison{}, baseErr
	}
	old, err := r.LoadVersion(ctx, base.ID)
	if err != nil {
		return Comparison{}, fmt.Errorf("publishing: compare with version %d: %w", base.ID, err)
	}
	return Comparison{Base: &base, Changes: Diff(old, next)}, nil
}
