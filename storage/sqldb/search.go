package sqldb

import (
	"context"
	"fmt"
	"strings"

	"fazhibot/console"
)

// lowerASCII lower-cases the ASCII letters of s, as the LOWER of both
// databases does.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// containsPattern is the LIKE pattern of a text that contains term, for
// comparing with a LOWER(…) column.
func containsPattern(term string) string {
	return "%" + escapeLike(lowerASCII(term)) + "%"
}

// checkTerms refuses an empty or too long list of search terms, and blank
// terms.
func checkTerms(terms []string) error {
	if len(terms) == 0 || len(terms) > console.MaxSearchTerms {
		return fmt.Errorf("%d search terms: %w", len(terms), console.ErrInvalid)
	}
	for _, t := range terms {
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("blank search term: %w", console.ErrInvalid)
		}
	}
	return nil
}

// SearchPassages returns up to limit draft passages that contain every
// one of terms in their text, section path or keywords, ordered by report
// ID and Seq. ASCII letters match in either case; the terms are matched
// literally (% and _ are not wildcards). It returns ErrInvalid when limit
// is not positive, terms is empty or holds more than MaxSearchTerms terms
// or a blank one. Every passage is read, so it suits the console, not the
// citizens' questions. It is safe for concurrent use.
func (db *DB) SearchPassages(ctx context.Context, terms []string, limit int) ([]console.PassageEntry, error) {
	if err := checkTerms(terms); err != nil || limit <= 0 {
		return nil, fmt.Errorf("sqldb: search passages: limit %d: %w", limit, cmpErr(err, console.ErrInvalid))
	}
	var conds []string
	var args []any
	for _, t := range terms {
		p := containsPattern(t)
		conds = append(conds, `(LOWER(text) LIKE ? ESCAPE '\' OR LOWER(path) LIKE ? ESCAPE '\' OR LOWER(keywords) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	args = append(args, limit)
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT `+passageColumns+` FROM passages
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY report_id, seq LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqldb: search passages: %w", err)
	}
	defer rows.Close()
	var list []console.PassageEntry
	for rows.Next() {
		e, err := scanPassage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqldb: search passages: %w", err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: search passages: %w", err)
	}
	return list, nil
}

// cmpErr returns err, or def when err is nil.
func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// SearchAudit returns up to limit audit-log entries m selects, newest
// first; none when m selects nothing. It returns ErrInvalid when limit is
// not positive or m names more than MaxAuditMatchIDs IDs in all. Every
// entry is read, which the audit log's size allows. It is safe for
// concurrent use.
func (db *DB) SearchAudit(ctx context.Context, m console.AuditMatch, limit int) ([]console.AuditEntry, error) {
	if n := len(m.Reports) + len(m.Passages) + len(m.FAQs) + len(m.Users) + len(m.Terms); limit <= 0 || n > console.MaxAuditMatchIDs {
		return nil, fmt.Errorf("sqldb: search audit: limit %d, %d IDs: %w", limit, n, console.ErrInvalid)
	}
	var conds []string
	var args []any
	if strings.TrimSpace(m.Text) != "" {
		p := containsPattern(m.Text)
		conds = append(conds, `LOWER(actor) LIKE ? ESCAPE '\'`, `LOWER(target) LIKE ? ESCAPE '\'`, `LOWER(detail) LIKE ? ESCAPE '\'`)
		args = append(args, p, p, p)
	}
	var targets []any
	for _, id := range m.Reports {
		targets = append(targets, reportTarget(id))
		conds = append(conds, `target LIKE ? ESCAPE '\'`)
		args = append(args, escapeLike("passage:"+string(id)+"#")+"%")
	}
	for _, p := range m.Passages {
		targets = append(targets, passageTarget(p.Report, p.Seq))
	}
	for _, id := range m.FAQs {
		targets = append(targets, faqTarget(id))
	}
	for _, id := range m.Users {
		targets = append(targets, userTarget(id))
	}
	for _, name := range m.Terms {
		targets = append(targets, termsTarget(name))
	}
	if len(targets) > 0 {
		conds = append(conds, "target IN (?"+strings.Repeat(", ?", len(targets)-1)+")")
		args = append(args, targets...)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	args = append(args, limit)
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT id, at, actor, action, target, detail
		FROM audit_log WHERE `+strings.Join(conds, " OR ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqldb: search audit: %w", err)
	}
	list, err := scanAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("sqldb: search audit: %w", err)
	}
	return list, nil
}
