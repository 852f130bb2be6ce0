package sqldb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// Draft returns the whole draft workspace as of one moment: the reports
// (as Reports returns them), the FAQ entries in list order (nil when there
// are none) and the term files present (an empty map when there are none).
func (db *DB) Draft(ctx context.Context) (*knowledge.Content, error) {
	var c *knowledge.Content
	err := db.readTx(ctx, func(q q) (err error) {
		c, err = loadDraft(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqldb: draft: %w", err)
	}
	return c, nil
}

// loadDraft reads the draft workspace; call it inside a transaction.
func loadDraft(ctx context.Context, q q) (*knowledge.Content, error) {
	reports, err := loadReports(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	entries, err := loadFAQs(ctx, q)
	if err != nil {
		return nil, err
	}
	files, err := loadTermFiles(ctx, q)
	if err != nil {
		return nil, err
	}
	c := &knowledge.Content{Reports: reports, TermFiles: files}
	for _, e := range entries {
		c.FAQs = append(c.FAQs, e.FAQ)
	}
	return c, nil
}

// resetDraft replaces the whole draft workspace with c: every object gets
// a new revision. Reports keep the import attribution imports gives them;
// those it lacks are recorded as imported by by now. Term files missing
// from c are marked absent.
func (tx *wtx) resetDraft(ctx context.Context, c *knowledge.Content, imports map[knowledge.ReportID]console.ReportImport, by string) error {
	rev, err := tx.next(ctx, counterDraftRev)
	if err != nil {
		return err
	}
	for _, stmt := range []string{`DELETE FROM passages`, `DELETE FROM reports`, `DELETE FROM faqs`} {
		if _, err := tx.exec(ctx, stmt); err != nil {
			return err
		}
	}
	for _, r := range c.Reports {
		imp, ok := imports[r.ID]
		if !ok || imp.By == "" || imp.At.IsZero() {
			imp = console.ReportImport{At: tx.now, By: by}
		}
		if err := tx.saveReport(ctx, r, rev, imp); err != nil {
			return fmt.Errorf("report %q: %w", r.ID, err)
		}
	}
	for i, f := range c.FAQs {
		if f.ID == "" {
			return fmt.Errorf("faq #%d has no ID: %w", i+1, console.ErrInvalid)
		}
		if err := tx.insertFAQ(ctx, f, rev, by); err != nil {
			return fmt.Errorf("faq %q: %w", f.ID, err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE term_files SET text = '', present = 0, rev = ?,
		updated_at = ?, updated_by = ?`, rev, formatTime(tx.now), by); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(c.TermFiles)) {
		if !slices.Contains(knowledge.TermFileNames(), name) {
			return fmt.Errorf("unknown term file %q: %w", name, console.ErrInvalid)
		}
		if err := tx.putTermFile(ctx, name, c.TermFiles[name], rev, by); err != nil {
			return err
		}
	}
	return nil
}

// loadImports reads the import attribution of every draft report.
func loadImports(ctx context.Context, q q) (map[knowledge.ReportID]console.ReportImport, error) {
	rows, err := q.query(ctx, `SELECT id, imported_at, imported_by FROM reports`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	imports := map[knowledge.ReportID]console.ReportImport{}
	for rows.Next() {
		var id knowledge.ReportID
		var at string
		var imp console.ReportImport
		if err := rows.Scan(&id, &at, &imp.By); err != nil {
			return nil, err
		}
		if imp.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("report %q: %w", id, err)
		}
		imports[id] = imp
	}
	return imports, rows.Err()
}

// snapshot is what a version stores: the content and who imported each
// of its reports when (knowledge.Content has no room for that). Versions
// stored before the attribution was kept have no Imports.
type snapshot struct {
	*knowledge.Content
	Imports map[knowledge.ReportID]console.ReportImport `json:",omitempty"`
}

// sameContent reports whether a and b hold the same reports, FAQ entries
// and term lists, compared as a snapshot stores them.
func sameContent(a, b *knowledge.Content) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

// encodeSnapshot encodes a snapshot as gzip-compressed JSON.
func encodeSnapshot(s snapshot) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(s); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeSnapshot decodes what encodeSnapshot encoded; Content is never
// nil.
func decodeSnapshot(data []byte) (snapshot, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	s := snapshot{Content: &knowledge.Content{}}
	if err := json.Unmarshal(raw, &s); err != nil {
		return snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	return s, nil
}
