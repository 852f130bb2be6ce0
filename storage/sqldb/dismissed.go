package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"fazhibot/console"
)

// questionTarget is the audit target of a dismissal: the sample of the
// first text dismissed.
func questionTarget(sample string) string { return "question:" + sample }

// DismissQuestions marks texts as dismissed from the unanswered queue, so
// that the queue leaves them out from then on, and records one audit entry
// (ActionQuestionDismiss, by by) naming the first sample, with the number
// of texts as detail. Each Text must be non-empty, valid UTF-8 without
// NUL and already normalised; texts dismissed before stay as they were.
// Errors wrap ErrInvalid for bad input. Safe for concurrent use.
func (db *DB) DismissQuestions(ctx context.Context, texts []console.DismissedText, by string) error {
	if len(texts) == 0 || len(texts) > console.MaxDismissTexts {
		return fmt.Errorf("sqldb: dismiss %d texts: %w", len(texts), console.ErrInvalid)
	}
	for _, t := range texts {
		for _, s := range []string{t.Text, t.Sample} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				return fmt.Errorf("sqldb: dismiss %q: invalid text: %w", t.Text, console.ErrInvalid)
			}
		}
		if t.Text == "" || console.NormalizeQuestion(t.Text) != t.Text {
			return fmt.Errorf("sqldb: dismiss %q: not a normalised text: %w", t.Text, console.ErrInvalid)
		}
	}
	err := db.writeTx(ctx, func(tx *wtx) error {
		for _, t := range texts {
			if _, err := tx.exec(ctx, `INSERT INTO dismissed_questions (text, sample, dismissed_at, dismissed_by)
				VALUES (?, ?, ?, ?) ON CONFLICT (text) DO NOTHING`, t.Text, t.Sample, formatTime(tx.now), by); err != nil {
				return err
			}
		}
		sample := texts[0].Sample
		if sample == "" {
			sample = texts[0].Text
		}
		return tx.audit(ctx, by, console.ActionQuestionDismiss, questionTarget(sample), strconv.Itoa(len(texts)))
	})
	if err != nil {
		return fmt.Errorf("sqldb: dismiss questions: %w", err)
	}
	return nil
}

// DismissedQuestions returns the set of normalised texts dismissed from
// the unanswered queue. Safe for concurrent use.
func (db *DB) DismissedQuestions(ctx context.Context) (map[string]bool, error) {
	rows, err := q{db.dialect, db.read}.query(ctx, `SELECT text FROM dismissed_questions`)
	if err != nil {
		return nil, fmt.Errorf("sqldb: dismissed questions: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("sqldb: dismissed questions: %w", err)
		}
		out[t] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqldb: dismissed questions: %w", err)
	}
	return out, nil
}
