package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// versionColumns are the columns scanVersion reads; the last one tells
// whether the version is live.
const versionColumns = `id, status, created_at, created_by, summary, approved_by, approved_at,
	rejected_by, rejected_at, reject_reason, restored_from,
	CASE WHEN published_seq = (SELECT MAX(published_seq) FROM kb_versions) THEN 1 ELSE 0 END`

func scanVersion(row interface{ Scan(...any) error }) (console.Version, error) {
	var v console.Version
	var createdAt string
	var approvedAt, rejectedAt sql.NullString
	var restoredFrom sql.NullInt64
	var live int
	if err := row.Scan(&v.ID, &v.Status, &createdAt, &v.CreatedBy, &v.Summary, &v.ApprovedBy, &approvedAt,
		&v.RejectedBy, &rejectedAt, &v.RejectReason, &restoredFrom, &live); err != nil {
		return console.Version{}, err
	}
	v.RestoredFrom = console.VersionID(restoredFrom.Int64)
	v.Live = live == 1
	var err error
	if v.CreatedAt, err = parseTime(createdAt); err != nil {
		return console.Version{}, fmt.Errorf("version %d: %w", v.ID, err)
	}
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&v.ApprovedAt, approvedAt}, {&v.RejectedAt, rejectedAt}} {
		at, err := parseOptTime(t.src)
		if err != nil {
			return console.Version{}, fmt.Errorf("version %d: %w", v.ID, err)
		}
		if at != nil {
			*t.dst = *at
		}
	}
	return v, nil
}

// version reads one version, or returns ErrNotFound.
func (q q) version(ctx context.Context, id console.VersionID) (console.Version, error) {
	v, err := scanVersion(q.row(ctx, `SELECT `+versionColumns+` FROM kb_versions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return console.Version{}, console.ErrNotFound
	}
	return v, err
}

// Publish snapshots the draft workspace as a new version that is published
// at once and becomes the live version. It returns ErrInvalid when the
// draft holds neither reports nor FAQ entries, and ErrUnchanged when it
// holds exactly what the live version holds.
func (db *DB) Publish(ctx context.Context, by, summary string) (console.Version, error) {
	v, err := db.snapshot(ctx, console.StatusPublished, console.ActionVersionPublish, by, summary)
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: publish: %w", err)
	}
	return v, nil
}

// Submit snapshots the draft workspace as a new pending version, to be
// approved or rejected. It returns ErrInvalid when the draft holds neither
// reports nor FAQ entries, and ErrUnchanged when it holds exactly what the
// live version holds. The live version does not change.
func (db *DB) Submit(ctx context.Context, by, summary string) (console.Version, error) {
	v, err := db.snapshot(ctx, console.StatusPending, console.ActionVersionSubmit, by, summary)
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: submit: %w", err)
	}
	return v, nil
}

// snapshot stores the draft, with its reports' import attribution, as a
// new version with the given status.
func (db *DB) snapshot(ctx context.Context, status console.VersionStatus, action console.Action, by, summary string) (console.Version, error) {
	var v console.Version
	err := db.writeTx(ctx, func(tx *wtx) error {
		c, err := loadDraft(ctx, tx.q)
		if err != nil {
			return err
		}
		if len(c.Reports) == 0 && len(c.FAQs) == 0 {
			return fmt.Errorf("the draft is empty: %w", console.ErrInvalid)
		}
		if err := tx.mustDifferFromLive(ctx, c); err != nil {
			return err
		}
		imports, err := loadImports(ctx, tx.q)
		if err != nil {
			return err
		}
		data, err := encodeSnapshot(snapshot{Content: c, Imports: imports})
		if err != nil {
			return err
		}
		id, err := tx.insertVersion(ctx, status, by, summary, 0, data)
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, by, action, versionTarget(id), summary); err != nil {
			return err
		}
		v, err = tx.version(ctx, id)
		return err
	})
	return v, err
}

// mustDifferFromLive returns ErrUnchanged when c is the live version's
// content.
func (tx *wtx) mustDifferFromLive(ctx context.Context, c *knowledge.Content) error {
	var data []byte
	err := tx.row(ctx, `SELECT snapshot FROM kb_versions
		WHERE published_seq = (SELECT MAX(published_seq) FROM kb_versions)`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing is live: any content is a change
	}
	if err != nil {
		return err
	}
	live, err := decodeSnapshot(data)
	if err != nil {
		return err
	}
	same, err := sameContent(c, live.Content)
	if err != nil {
		return err
	}
	if same {
		return console.ErrUnchanged
	}
	return nil
}

// insertVersion stores a new version; a published one becomes live.
func (tx *wtx) insertVersion(ctx context.Context, status console.VersionStatus, by, summary string,
	restoredFrom console.VersionID, snapshot []byte) (console.VersionID, error) {
	n, err := tx.next(ctx, counterVersion)
	if err != nil {
		return 0, err
	}
	id := console.VersionID(n)
	var approvedBy string
	var approvedAt, publishedSeq, from any
	if status == console.StatusPublished {
		seq, err := tx.next(ctx, counterPublish)
		if err != nil {
			return 0, err
		}
		approvedBy, approvedAt, publishedSeq = by, formatTime(tx.now), seq
	}
	if restoredFrom != 0 {
		from = int64(restoredFrom)
	}
	_, err = tx.exec(ctx, `INSERT INTO kb_versions (id, status, created_at, created_by, summary,
		approved_by, approved_at, restored_from, published_seq, snapshot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(id), string(status), formatTime(tx.now), by, summary,
		approvedBy, approvedAt, from, publishedSeq, snapshot)
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Approve publishes the pending version id, which becomes the live
// version with the snapshot that was submitted, and returns it. It returns
// ErrNotFound when there is no such version and ErrConflict when it is
// not pending (approved or rejected by someone else). Whether approver and
// submitter may be the same person is the caller's policy.
func (db *DB) Approve(ctx context.Context, id console.VersionID, by string) (console.Version, error) {
	var v console.Version
	err := db.writeTx(ctx, func(tx *wtx) error {
		if err := tx.mustBePending(ctx, id); err != nil {
			return err
		}
		seq, err := tx.next(ctx, counterPublish)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE kb_versions SET status = ?, approved_by = ?, approved_at = ?,
			published_seq = ? WHERE id = ?`,
			string(console.StatusPublished), by, formatTime(tx.now), seq, int64(id)); err != nil {
			return err
		}
		if err := tx.audit(ctx, by, console.ActionVersionApprove, versionTarget(id), ""); err != nil {
			return err
		}
		v, err = tx.version(ctx, id)
		return err
	})
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: approve version %d: %w", id, err)
	}
	return v, nil
}

// Reject rejects the pending version id, recording the reason, and
// returns it. It returns ErrNotFound when there is no such version and
// ErrConflict when it is not pending.
func (db *DB) Reject(ctx context.Context, id console.VersionID, by, reason string) (console.Version, error) {
	var v console.Version
	err := db.writeTx(ctx, func(tx *wtx) error {
		if err := tx.mustBePending(ctx, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE kb_versions SET status = ?, rejected_by = ?, rejected_at = ?,
			reject_reason = ? WHERE id = ?`,
			string(console.StatusRejected), by, formatTime(tx.now), reason, int64(id)); err != nil {
			return err
		}
		if err := tx.audit(ctx, by, console.ActionVersionReject, versionTarget(id), reason); err != nil {
			return err
		}
		var err error
		v, err = tx.version(ctx, id)
		return err
	})
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: reject version %d: %w", id, err)
	}
	return v, nil
}

func (tx *wtx) mustBePending(ctx context.Context, id console.VersionID) error {
	var status console.VersionStatus
	err := tx.row(ctx, `SELECT status FROM kb_versions WHERE id = ?`, int64(id)).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return console.ErrNotFound
	case err != nil:
		return err
	case status != console.StatusPending:
		return fmt.Errorf("version is %s, not pending: %w", status, console.ErrConflict)
	}
	return nil
}

// Restore makes the published version id live again: in one transaction
// it creates a new published version with id's snapshot and the summary
// RestoreSummary(id), resets the draft workspace to that snapshot (every
// draft object gets a new revision, so editors of the old draft get
// ErrConflict) and records the restore in the audit log under by. Each
// report keeps the import attribution (who imported it, when) it had when
// version id was made; versions stored before attribution was kept record
// by and the time of the restore instead. It returns the new version, ErrNotFound when there is no
// version id, and ErrInvalid when id is not published: pending and
// rejected snapshots go live only through Approve.
func (db *DB) Restore(ctx context.Context, id console.VersionID, by string) (console.Version, error) {
	var v console.Version
	err := db.writeTx(ctx, func(tx *wtx) error {
		var status console.VersionStatus
		var data []byte
		err := tx.row(ctx, `SELECT status, snapshot FROM kb_versions WHERE id = ?`, int64(id)).Scan(&status, &data)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return console.ErrNotFound
		case err != nil:
			return err
		case status != console.StatusPublished:
			return fmt.Errorf("version is %s, not published: %w", status, console.ErrInvalid)
		}
		snap, err := decodeSnapshot(data)
		if err != nil {
			return err
		}
		if err := tx.resetDraft(ctx, snap.Content, snap.Imports, by); err != nil {
			return err
		}
		newID, err := tx.insertVersion(ctx, console.StatusPublished, by, console.RestoreSummary(id), id, data)
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, by, console.ActionVersionRestore, versionTarget(newID), versionTarget(id)); err != nil {
			return err
		}
		v, err = tx.version(ctx, newID)
		return err
	})
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: restore version %d: %w", id, err)
	}
	return v, nil
}

// Versions returns every version, newest first, without snapshots.
func (db *DB) Versions(ctx context.Context) ([]console.Version, error) {
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT `+versionColumns+` FROM kb_versions ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqldb: versions: %w", err)
	}
	defer rows.Close()
	var list []console.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("sqldb: versions: %w", err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: versions: %w", err)
	}
	return list, nil
}

// Version returns the version id without its snapshot, or an error
// wrapping ErrNotFound.
func (db *DB) Version(ctx context.Context, id console.VersionID) (console.Version, error) {
	v, err := q{db.dialect, db.read}.version(ctx, id)
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: version %d: %w", id, err)
	}
	return v, nil
}

// LiveVersion returns the live version: the one published most recently
// by Publish, Approve or Restore. It returns ErrNotFound when no version
// has been published.
func (db *DB) LiveVersion(ctx context.Context) (console.Version, error) {
	v, err := scanVersion(db.read.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM kb_versions
		WHERE published_seq = (SELECT MAX(published_seq) FROM kb_versions)`))
	if errors.Is(err, sql.ErrNoRows) {
		err = console.ErrNotFound
	}
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: live version: %w", err)
	}
	return v, nil
}

// LoadVersion returns the content of version id as it was snapshotted, or
// an error wrapping ErrNotFound.
func (db *DB) LoadVersion(ctx context.Context, id console.VersionID) (*knowledge.Content, error) {
	var data []byte
	err := q{db.dialect, db.read}.row(ctx, `SELECT snapshot FROM kb_versions WHERE id = ?`, int64(id)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		err = console.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqldb: load version %d: %w", id, err)
	}
	snap, err := decodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("sqldb: load version %d: %w", id, err)
	}
	return snap.Content, nil
}

// PublishedBefore returns the version that was live just before the
// published version id went live (by Publish, Approve or Restore). It
// returns ErrNotFound when id is the first version published, and
// ErrInvalid when id was never published.
func (db *DB) PublishedBefore(ctx context.Context, id console.VersionID) (console.Version, error) {
	var v console.Version
	err := db.readTx(ctx, func(q q) error {
		var seq sql.NullInt64
		err := q.row(ctx, `SELECT published_seq FROM kb_versions WHERE id = ?`, int64(id)).Scan(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return console.ErrNotFound
		case err != nil:
			return err
		case !seq.Valid:
			return fmt.Errorf("version %d was never published: %w", id, console.ErrInvalid)
		}
		v, err = scanVersion(q.row(ctx, `SELECT `+versionColumns+` FROM kb_versions
			WHERE published_seq = (SELECT MAX(published_seq) FROM kb_versions WHERE published_seq < ?)`, seq.Int64))
		if errors.Is(err, sql.ErrNoRows) {
			return console.ErrNotFound
		}
		return err
	})
	if err != nil {
		return console.Version{}, fmt.Errorf("sqldb: version published before %d: %w", id, err)
	}
	return v, nil
}
