package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// checkTermFile returns ErrInvalid for an unknown name or for text that
// knowledge.LoadTerms rejects.
func checkTermFile(name, text string) error {
	if !slices.Contains(knowledge.TermFileNames(), name) {
		return fmt.Errorf("unknown term file %q: %w", name, console.ErrInvalid)
	}
	if _, err := knowledge.LoadTerms(knowledge.TermTexts{name: text}); err != nil {
		return fmt.Errorf("%w: %w", console.ErrInvalid, err)
	}
	return nil
}

// TermFiles returns the text of every draft term file by name. Files never
// saved, or dropped by a restore, are missing.
func (db *DB) TermFiles(ctx context.Context) (map[string]string, error) {
	files, err := loadTermFiles(ctx, q{db.dialect, db.read})
	if err != nil {
		return nil, fmt.Errorf("sqldb: term files: %w", err)
	}
	return files, nil
}

// loadTermFiles returns the present term files; the map is never nil.
func loadTermFiles(ctx context.Context, q q) (map[string]string, error) {
	rows, err := q.query(ctx, `SELECT name, text FROM term_files WHERE present = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	files := map[string]string{}
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			return nil, err
		}
		files[name] = text
	}
	return files, rows.Err()
}

// TermFile returns the draft term file with the given name and its
// revision. It returns ErrInvalid for an unknown name and ErrNotFound for
// a file that is missing from the draft.
func (db *DB) TermFile(ctx context.Context, name string) (console.TermFile, error) {
	if !slices.Contains(knowledge.TermFileNames(), name) {
		return console.TermFile{}, fmt.Errorf("sqldb: term file %q: unknown: %w", name, console.ErrInvalid)
	}
	f := console.TermFile{Name: name}
	var present bool
	var updatedAt string
	err := q{db.dialect, db.read}.row(ctx, `SELECT text, present, rev, updated_at, updated_by
		FROM term_files WHERE name = ?`, name).Scan(&f.Text, &present, &f.Rev, &updatedAt, &f.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !present) {
		err = console.ErrNotFound
	}
	if err == nil {
		f.UpdatedAt, err = parseTime(updatedAt)
	}
	if err != nil {
		return console.TermFile{}, fmt.Errorf("sqldb: term file %q: %w", name, err)
	}
	return f, nil
}

// SaveTermFile stores the text of the draft term file name and returns the
// file with its new revision. rev is the revision the editor started from:
// when it is not 0 and the file has been saved since (or never was),
// SaveTermFile returns an error wrapping ErrConflict. It returns
// ErrInvalid for a name other than the knowledge package's term-file names
// and for text that knowledge.LoadTerms rejects, with its message. The
// audit entry's Detail is the TermsChange from the stored text.
func (db *DB) SaveTermFile(ctx context.Context, name, text string, rev int64, by string) (console.TermFile, error) {
	var f console.TermFile
	err := db.writeTx(ctx, func(tx *wtx) error {
		if err := checkTermFile(name, text); err != nil {
			return err
		}
		var cur int64
		var old string
		var present bool
		err := tx.row(ctx, `SELECT rev, text, present FROM term_files WHERE name = ?`, name).Scan(&cur, &old, &present)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if rev != 0 && rev != cur {
			return fmt.Errorf("revision %d, stored %d: %w", rev, cur, console.ErrConflict)
		}
		newRev, err := tx.next(ctx, counterDraftRev)
		if err != nil {
			return err
		}
		if err := tx.putTermFile(ctx, name, text, newRev, by); err != nil {
			return err
		}
		f = console.TermFile{Name: name, Text: text, Rev: newRev, UpdatedAt: tx.now, UpdatedBy: by}
		if !present {
			old = ""
		}
		return tx.audit(ctx, by, console.ActionTermsSave, termsTarget(name), console.DiffTermLines(old, text).Detail())
	})
	if err != nil {
		return console.TermFile{}, fmt.Errorf("sqldb: save term file %q: %w", name, err)
	}
	return f, nil
}

// putTermFile stores a present term file.
func (tx *wtx) putTermFile(ctx context.Context, name, text string, rev int64, by string) error {
	_, err := tx.exec(ctx, `INSERT INTO term_files (name, text, present, rev, updated_at, updated_by)
		VALUES (?, ?, 1, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET text = excluded.text, present = 1, rev = excluded.rev,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		name, text, rev, formatTime(tx.now), by)
	return err
}

// SeedTermFiles stores each of the given term files whose name has never
// been saved, as SeedActor, and leaves the others alone; a program calls
// it at start with its built-in lists. It returns ErrInvalid, storing
// nothing, when a name or text is invalid (see SaveTermFile).
func (db *DB) SeedTermFiles(ctx context.Context, files map[string]string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		names := slices.Sorted(maps.Keys(files))
		for _, name := range names {
			if err := checkTermFile(name, files[name]); err != nil {
				return err
			}
		}
		var rev int64
		for _, name := range names {
			var saved bool
			if err := tx.row(ctx, `SELECT EXISTS (SELECT 1 FROM term_files WHERE name = ?)`, name).Scan(&saved); err != nil {
				return err
			}
			if saved {
				continue
			}
			if rev == 0 {
				var err error
				if rev, err = tx.next(ctx, counterDraftRev); err != nil {
					return err
				}
			}
			if err := tx.putTermFile(ctx, name, files[name], rev, console.SeedActor); err != nil {
				return err
			}
			if err := tx.audit(ctx, console.SeedActor, console.ActionTermsSeed, termsTarget(name), ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqldb: seed term files: %w", err)
	}
	return nil
}
