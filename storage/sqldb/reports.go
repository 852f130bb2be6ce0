package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// SaveReports stores reports in the draft workspace in one transaction,
// recording by as the importer and the current time as the import time,
// with one audit entry per report. Each report replaces any stored report
// with the same ID, passages included, and its passages get a new
// revision; when the same ID appears twice, the later report wins. On any
// error, such as a nil report, an ID that knowledge.CheckReportID refuses
// or two passages with the same Seq, nothing is changed; such arguments
// wrap ErrInvalid (and, for the ID, knowledge.ErrBadReportID). Restoring
// a version into the draft does not check IDs, so that versions saved
// before the rule stay restorable.
func (db *DB) SaveReports(ctx context.Context, by string, reports ...*knowledge.Report) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		rev, err := tx.next(ctx, counterDraftRev)
		if err != nil {
			return err
		}
		for i, r := range reports {
			if r != nil {
				if err := knowledge.CheckReportID(r.ID); err != nil {
					return fmt.Errorf("report #%d: %w: %w", i+1, console.ErrInvalid, err)
				}
			}
			if err := tx.saveReport(ctx, r, rev, console.ReportImport{At: tx.now, By: by}); err != nil {
				if r == nil {
					return fmt.Errorf("report #%d: %w", i+1, err)
				}
				return fmt.Errorf("report %q: %w", r.ID, err)
			}
			if err := tx.audit(ctx, by, console.ActionReportImport, reportTarget(r.ID), r.Title); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqldb: save reports: %w", err)
	}
	return nil
}

// saveReport replaces the draft report r, giving its passages revision rev
// and the report the import attribution imp. Its passages are recorded as
// saved by imp.By now.
func (tx *wtx) saveReport(ctx context.Context, r *knowledge.Report, rev int64, imp console.ReportImport) error {
	switch {
	case r == nil:
		return fmt.Errorf("nil report: %w", console.ErrInvalid)
	case r.ID == "":
		return fmt.Errorf("empty report ID: %w", console.ErrInvalid)
	}
	seen := make(map[int]bool, len(r.Passages))
	for _, p := range r.Passages {
		if seen[p.Seq] {
			return fmt.Errorf("two passages with seq %d: %w", p.Seq, console.ErrInvalid)
		}
		seen[p.Seq] = true
	}
	now, by := formatTime(tx.now), imp.By
	if _, err := tx.exec(ctx, `DELETE FROM passages WHERE report_id = ?`, r.ID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `
		INSERT INTO reports (id, title, department, year, publish_date, doc_number,
			source_url, format, imported_at, imported_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			title = excluded.title, department = excluded.department,
			year = excluded.year, publish_date = excluded.publish_date,
			doc_number = excluded.doc_number, source_url = excluded.source_url,
			format = excluded.format, imported_at = excluded.imported_at,
			imported_by = excluded.imported_by`,
		r.ID, r.Title, r.Department, r.Year, r.PublishDate, r.DocNumber,
		r.SourceURL, string(r.Format), formatTime(imp.At), imp.By); err != nil {
		return err
	}
	for _, p := range r.Passages {
		if _, err := tx.exec(ctx, `INSERT INTO passages (report_id, seq, path, text, keywords,
			rev, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, p.Seq, encodeList(p.Path), p.Text, encodeList(p.Keywords), rev, now, by); err != nil {
			return fmt.Errorf("passage %d: %w", p.Seq, err)
		}
	}
	return nil
}

// Reports returns every draft report with its passages, ordered by ID,
// passages by Seq, as of one moment. Empty Path and Keywords lists come
// back as nil.
func (db *DB) Reports(ctx context.Context) ([]*knowledge.Report, error) {
	var reports []*knowledge.Report
	err := db.readTx(ctx, func(q q) (err error) {
		reports, err = loadReports(ctx, q, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqldb: reports: %w", err)
	}
	return reports, nil
}

// Report returns the draft report with the given ID and its passages,
// ordered by Seq, or an error wrapping ErrNotFound.
func (db *DB) Report(ctx context.Context, id knowledge.ReportID) (*knowledge.Report, error) {
	var reports []*knowledge.Report
	err := db.readTx(ctx, func(q q) (err error) {
		reports, err = loadReports(ctx, q, &id)
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("sqldb: report %q: %w", id, err)
	case len(reports) == 0:
		return nil, fmt.Errorf("sqldb: report %q: %w", id, console.ErrNotFound)
	}
	return reports[0], nil
}

// loadReports reads the draft reports, or only the one with ID *id.
// Called inside a transaction, so that reports and passages match.
func loadReports(ctx context.Context, q q, id *knowledge.ReportID) ([]*knowledge.Report, error) {
	where, args := "", []any(nil)
	if id != nil {
		where, args = "WHERE id = ?", []any{*id}
	}
	rows, err := q.query(ctx, `SELECT id, title, department, year, publish_date,
		doc_number, source_url, format FROM reports `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	var reports []*knowledge.Report
	byID := map[knowledge.ReportID]*knowledge.Report{}
	for rows.Next() {
		r := &knowledge.Report{}
		if err := rows.Scan(&r.ID, &r.Title, &r.Department, &r.Year, &r.PublishDate,
			&r.DocNumber, &r.SourceURL, &r.Format); err != nil {
			rows.Close()
			return nil, err
		}
		reports = append(reports, r)
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(reports) == 0 {
		return nil, nil
	}

	if id != nil {
		where = "WHERE report_id = ?"
	}
	rows, err = q.query(ctx, `SELECT report_id, seq, path, text, keywords
		FROM passages `+where+` ORDER BY report_id, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var reportID knowledge.ReportID
		var p knowledge.Passage
		var path, keywords string
		if err := rows.Scan(&reportID, &p.Seq, &path, &p.Text, &keywords); err != nil {
			return nil, err
		}
		if p.Path, err = decodeList(path); err != nil {
			return nil, fmt.Errorf("report %q passage %d path: %w", reportID, p.Seq, err)
		}
		if p.Keywords, err = decodeList(keywords); err != nil {
			return nil, fmt.Errorf("report %q passage %d keywords: %w", reportID, p.Seq, err)
		}
		if r := byID[reportID]; r != nil {
			r.Passages = append(r.Passages, p)
		}
	}
	return reports, rows.Err()
}

// ListReports summarizes every draft report, ordered by ID.
func (db *DB) ListReports(ctx context.Context) ([]console.ReportSummary, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT r.id, r.title, r.department, r.year, r.imported_at, r.imported_by,
			(SELECT COUNT(*) FROM passages p WHERE p.report_id = r.id)
		FROM reports r ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("sqldb: list reports: %w", err)
	}
	defer rows.Close()
	var list []console.ReportSummary
	for rows.Next() {
		var s console.ReportSummary
		var importedAt string
		if err := rows.Scan(&s.ID, &s.Title, &s.Department, &s.Year, &importedAt,
			&s.ImportedBy, &s.Passages); err != nil {
			return nil, fmt.Errorf("sqldb: list reports: %w", err)
		}
		if s.ImportedAt, err = parseTime(importedAt); err != nil {
			return nil, fmt.Errorf("sqldb: list reports: report %q: %w", s.ID, err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: list reports: %w", err)
	}
	return list, nil
}

// DeleteReport is DeleteReportBy with an empty actor.
//
// Deprecated: use DeleteReportBy, which names the actor for the audit log.
func (db *DB) DeleteReport(ctx context.Context, id knowledge.ReportID) error {
	return db.DeleteReportBy(ctx, id, "")
}

// DeleteReportBy deletes the draft report with the given ID and its
// passages, recording by in the audit log (with the report's title as
// the Detail), or returns an error wrapping ErrNotFound when there is no
// such report.
func (db *DB) DeleteReportBy(ctx context.Context, id knowledge.ReportID, by string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		var title string
		err := tx.row(ctx, `SELECT title FROM reports WHERE id = ?`, id).Scan(&title)
		if errors.Is(err, sql.ErrNoRows) {
			return console.ErrNotFound
		} else if err != nil {
			return err
		}
		// Passages go by ON DELETE CASCADE.
		if _, err := tx.exec(ctx, `DELETE FROM reports WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, by, console.ActionReportDelete, reportTarget(id), title)
	})
	if err != nil {
		return fmt.Errorf("sqldb: delete report %q: %w", id, err)
	}
	return nil
}

// Empty reports whether the draft holds no report.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var exists bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM reports)`).Scan(&exists); err != nil {
		return false, fmt.Errorf("sqldb: empty: %w", err)
	}
	return !exists, nil
}

// passageColumns are the columns scanPassage reads.
const passageColumns = `report_id, seq, path, text, keywords, rev, updated_at, updated_by`

func scanPassage(row interface{ Scan(...any) error }) (console.PassageEntry, error) {
	var e console.PassageEntry
	var path, keywords, updatedAt string
	if err := row.Scan(&e.Report, &e.Seq, &path, &e.Text, &keywords, &e.Rev, &updatedAt, &e.UpdatedBy); err != nil {
		return console.PassageEntry{}, err
	}
	var err error
	if e.Path, err = decodeList(path); err != nil {
		return console.PassageEntry{}, fmt.Errorf("path: %w", err)
	}
	if e.Keywords, err = decodeList(keywords); err != nil {
		return console.PassageEntry{}, fmt.Errorf("keywords: %w", err)
	}
	if e.UpdatedAt, err = parseTime(updatedAt); err != nil {
		return console.PassageEntry{}, fmt.Errorf("updated_at: %w", err)
	}
	return e, nil
}

// Passage returns draft passage seq of report id with its revision, or an
// error wrapping ErrNotFound.
func (db *DB) Passage(ctx context.Context, id knowledge.ReportID, seq int) (console.PassageEntry, error) {
	e, err := scanPassage(q{db.dialect, db.read}.row(ctx, `SELECT `+passageColumns+`
		FROM passages WHERE report_id = ? AND seq = ?`, id, seq))
	if errors.Is(err, sql.ErrNoRows) {
		err = console.ErrNotFound
	}
	if err != nil {
		return console.PassageEntry{}, fmt.Errorf("sqldb: passage %q #%d: %w", id, seq, err)
	}
	return e, nil
}

// Passages returns the draft passages of report id with their revisions,
// ordered by Seq, or an error wrapping ErrNotFound when there is no such
// report.
func (db *DB) Passages(ctx context.Context, id knowledge.ReportID) ([]console.PassageEntry, error) {
	var list []console.PassageEntry
	err := db.readTx(ctx, func(q q) error {
		var exists bool
		if err := q.row(ctx, `SELECT EXISTS (SELECT 1 FROM reports WHERE id = ?)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return console.ErrNotFound
		}
		rows, err := q.query(ctx, `SELECT `+passageColumns+` FROM passages
			WHERE report_id = ? ORDER BY seq`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanPassage(rows)
			if err != nil {
				return err
			}
			list = append(list, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqldb: passages of %q: %w", id, err)
	}
	return list, nil
}

// UpdatePassage replaces the text and keywords of draft passage seq of
// report id, keeping its Path, and returns the passage with its new
// revision. rev is the revision the editor started from; when it is not 0
// and the passage has been saved since, UpdatePassage returns an error
// wrapping ErrConflict. It returns ErrNotFound when there is no such
// passage and ErrInvalid when text is blank. Empty keywords are stored as
// no keywords.
func (db *DB) UpdatePassage(ctx context.Context, id knowledge.ReportID, seq int, text string,
	keywords []string, rev int64, by string) (console.PassageEntry, error) {
	var e console.PassageEntry
	err := db.writeTx(ctx, func(tx *wtx) error {
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("blank text: %w", console.ErrInvalid)
		}
		var cur int64
		err := tx.row(ctx, `SELECT rev FROM passages WHERE report_id = ? AND seq = ?`, id, seq).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return console.ErrNotFound
		} else if err != nil {
			return err
		}
		if rev != 0 && rev != cur {
			return fmt.Errorf("revision %d, stored %d: %w", rev, cur, console.ErrConflict)
		}
		newRev, err := tx.next(ctx, counterDraftRev)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE passages SET text = ?, keywords = ?, rev = ?,
			updated_at = ?, updated_by = ? WHERE report_id = ? AND seq = ?`,
			text, encodeList(keywords), newRev, formatTime(tx.now), by, id, seq); err != nil {
			return err
		}
		if err := tx.audit(ctx, by, console.ActionPassageUpdate, passageTarget(id, seq), ""); err != nil {
			return err
		}
		e, err = scanPassage(tx.row(ctx, `SELECT `+passageColumns+`
			FROM passages WHERE report_id = ? AND seq = ?`, id, seq))
		return err
	})
	if err != nil {
		return console.PassageEntry{}, fmt.Errorf("sqldb: update passage %q #%d: %w", id, seq, err)
	}
	return e, nil
}
