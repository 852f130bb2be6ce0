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
// a new revision, and reports are recorded as imported by by now. Term
// files missing from c are marked absent.
func (tx *wtx) resetDraft(ctx context.Context, c *knowledge.Content, by string) error {
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
		if err := tx.saveReport(ctx, r, rev, by); err != nil {
			return fmt.Errorf("report %q: %w", r.ID, err)
		}
	}
	for i, f := range c.FAQs {
		if f.ID == "" {
			return fmt.Errorf("faq #%d has no ID: %w", i+1, ErrInvalid)
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
			return fmt.Errorf("unknown term file %q: %w", name, ErrInvalid)
		}
		if err := tx.putTermFile(ctx, name, c.TermFiles[name], rev, by); err != nil {
			return err
		}
	}
	return nil
}

// encodeSnapshot encodes content as gzip-compressed JSON.
func encodeSnapshot(c *knowledge.Content) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(c); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeSnapshot decodes what encodeSnapshot encoded.
func decodeSnapshot(data []byte) (*knowledge.Content, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var c knowledge.Content
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return &c, nil
}
