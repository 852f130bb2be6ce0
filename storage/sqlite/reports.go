package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"fazhibot/knowledge"
)

// ReportSummary describes a stored report for listings.
type ReportSummary struct {
	ID         knowledge.ReportID
	Title      string
	Department string
	Year       int
	Passages   int       // number of passages
	ImportedAt time.Time // when the report was last saved, in UTC
	ImportedBy string    // who saved it, as given to SaveReports
}

// SaveReports stores reports in one transaction, recording by as the
// importer and the current time as the import time. Each report replaces
// any stored report with the same ID, passages included; when the same ID
// appears twice, the later report wins. On any error, such as a nil report,
// an empty ID or two passages with the same Seq, nothing is changed.
func (db *DB) SaveReports(ctx context.Context, by string, reports ...*knowledge.Report) error {
	now := formatTime(time.Now())
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: save reports: %w", err)
	}
	defer tx.Rollback()
	for i, r := range reports {
		if err := saveReport(ctx, tx, r, by, now); err != nil {
			if r == nil {
				return fmt.Errorf("sqlite: save report #%d: %w", i+1, err)
			}
			return fmt.Errorf("sqlite: save report %q: %w", r.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: save reports: %w", err)
	}
	return nil
}

func saveReport(ctx context.Context, tx *sql.Tx, r *knowledge.Report, by, now string) error {
	switch {
	case r == nil:
		return errors.New("nil report")
	case r.ID == "":
		return errors.New("empty report ID")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM passages WHERE report_id = ?`, r.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
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
		r.SourceURL, string(r.Format), now, by); err != nil {
		return err
	}
	if len(r.Passages) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx,
		`INSERT INTO passages (report_id, seq, path, text, keywords) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, p := range r.Passages {
		if _, err := stmt.ExecContext(ctx, r.ID, p.Seq, encodeList(p.Path), p.Text, encodeList(p.Keywords)); err != nil {
			return fmt.Errorf("passage %d: %w", p.Seq, err)
		}
	}
	return nil
}

// Reports returns every stored report with its passages, ordered by ID,
// passages by Seq. Empty Path and Keywords lists come back as nil.
func (db *DB) Reports(ctx context.Context) ([]*knowledge.Report, error) {
	reports, err := db.load(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reports: %w", err)
	}
	return reports, nil
}

// Report returns the stored report with the given ID and its passages,
// ordered by Seq, or an error wrapping ErrNotFound.
func (db *DB) Report(ctx context.Context, id knowledge.ReportID) (*knowledge.Report, error) {
	reports, err := db.load(ctx, &id)
	switch {
	case err != nil:
		return nil, fmt.Errorf("sqlite: report %q: %w", id, err)
	case len(reports) == 0:
		return nil, fmt.Errorf("sqlite: report %q: %w", id, ErrNotFound)
	}
	return reports[0], nil
}

// load reads the reports, or only the one with ID *id, in one read
// transaction so that reports and passages match.
func (db *DB) load(ctx context.Context, id *knowledge.ReportID) ([]*knowledge.Report, error) {
	where, args := "", []any(nil)
	if id != nil {
		where, args = "WHERE id = ?", []any{*id}
	}
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT id, title, department, year, publish_date,
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

	if id != nil {
		where = "WHERE report_id = ?"
	}
	rows, err = tx.QueryContext(ctx, `SELECT report_id, seq, path, text, keywords
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

// ListReports summarizes every stored report, ordered by ID.
func (db *DB) ListReports(ctx context.Context) ([]ReportSummary, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT r.id, r.title, r.department, r.year, r.imported_at, r.imported_by,
			(SELECT COUNT(*) FROM passages p WHERE p.report_id = r.id)
		FROM reports r ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list reports: %w", err)
	}
	defer rows.Close()
	var list []ReportSummary
	for rows.Next() {
		var s ReportSummary
		var importedAt string
		if err := rows.Scan(&s.ID, &s.Title, &s.Department, &s.Year, &importedAt,
			&s.ImportedBy, &s.Passages); err != nil {
			return nil, fmt.Errorf("sqlite: list reports: %w", err)
		}
		if s.ImportedAt, err = parseTime(importedAt); err != nil {
			return nil, fmt.Errorf("sqlite: list reports: report %q: %w", s.ID, err)
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list reports: %w", err)
	}
	return list, nil
}

// DeleteReport deletes the report with the given ID and its passages, or
// returns an error wrapping ErrNotFound when there is no such report.
func (db *DB) DeleteReport(ctx context.Context, id knowledge.ReportID) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM reports WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete report %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete report %q: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: delete report %q: %w", id, ErrNotFound)
	}
	return nil
}

// Empty reports whether no report is stored yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var exists bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM reports)`).Scan(&exists); err != nil {
		return false, fmt.Errorf("sqlite: empty: %w", err)
	}
	return !exists, nil
}

// encodeList encodes a list as a JSON array; nil becomes [].
func encodeList(list []string) string {
	if list == nil {
		list = []string{}
	}
	data, _ := json.Marshal(list) // a []string always marshals
	return string(data)
}

// decodeList decodes a JSON array of strings; an empty array becomes nil.
func decodeList(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}
