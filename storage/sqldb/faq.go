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

// faqColumns are the columns scanFAQ reads.
const faqColumns = `id, questions, answer, report_id, seq, rev, updated_at, updated_by`

func scanFAQ(row interface{ Scan(...any) error }) (console.FAQEntry, error) {
	var e console.FAQEntry
	var questions, updatedAt string
	if err := row.Scan(&e.ID, &questions, &e.Answer, &e.Report, &e.Seq, &e.Rev, &updatedAt, &e.UpdatedBy); err != nil {
		return console.FAQEntry{}, err
	}
	var err error
	if e.Questions, err = decodeList(questions); err != nil {
		return console.FAQEntry{}, fmt.Errorf("faq %q questions: %w", e.ID, err)
	}
	if e.UpdatedAt, err = parseTime(updatedAt); err != nil {
		return console.FAQEntry{}, fmt.Errorf("faq %q updated_at: %w", e.ID, err)
	}
	return e, nil
}

// FAQs returns the draft FAQ entries in list order: the order they were
// created in, or the order of the restored version.
func (db *DB) FAQs(ctx context.Context) ([]console.FAQEntry, error) {
	list, err := loadFAQs(ctx, q{db.dialect, db.read})
	if err != nil {
		return nil, fmt.Errorf("sqldb: faqs: %w", err)
	}
	return list, nil
}

func loadFAQs(ctx context.Context, q q) ([]console.FAQEntry, error) {
	rows, err := q.query(ctx, `SELECT `+faqColumns+` FROM faqs ORDER BY pos, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []console.FAQEntry
	for rows.Next() {
		e, err := scanFAQ(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

// FAQ returns the draft FAQ entry with the given ID, or an error wrapping
// ErrNotFound.
func (db *DB) FAQ(ctx context.Context, id knowledge.FAQID) (console.FAQEntry, error) {
	e, err := scanFAQ(q{db.dialect, db.read}.row(ctx, `SELECT `+faqColumns+` FROM faqs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = console.ErrNotFound
	}
	if err != nil {
		return console.FAQEntry{}, fmt.Errorf("sqldb: faq %q: %w", id, err)
	}
	return e, nil
}

// validFAQ checks f: at least one question, none blank, a non-blank answer
// of at most knowledge.MaxReplyBytes and a non-negative Seq.
func validFAQ(f knowledge.FAQ) error {
	if len(f.Questions) == 0 {
		return fmt.Errorf("no question: %w", console.ErrInvalid)
	}
	for i, question := range f.Questions {
		if strings.TrimSpace(question) == "" {
			return fmt.Errorf("question %d is blank: %w", i+1, console.ErrInvalid)
		}
	}
	switch {
	case strings.TrimSpace(f.Answer) == "":
		return fmt.Errorf("blank answer: %w", console.ErrInvalid)
	case len(f.Answer) > knowledge.MaxReplyBytes:
		return fmt.Errorf("answer of %d bytes, over %d: %w", len(f.Answer), knowledge.MaxReplyBytes, console.ErrInvalid)
	case f.Seq < 0:
		return fmt.Errorf("negative seq: %w", console.ErrInvalid)
	}
	return nil
}

// SaveFAQ stores a draft FAQ entry and returns it with its new revision.
// When f.ID is empty it creates an entry with a new random ID; otherwise
// it replaces the entry with that ID, or creates it at the end of the list.
// rev is the revision the editor started from: when it is not 0 and the
// entry has been saved or deleted since, SaveFAQ returns an error wrapping
// ErrConflict. It returns ErrInvalid for an entry without questions, with
// a blank question, or with a blank or too long answer (see
// knowledge.FAQ), and for an entry without ID given a revision. The linked
// passage (Report, Seq) is not checked: drafts may link reports that are
// to be imported later.
func (db *DB) SaveFAQ(ctx context.Context, f knowledge.FAQ, rev int64, by string) (console.FAQEntry, error) {
	var e console.FAQEntry
	err := db.writeTx(ctx, func(tx *wtx) error {
		if err := validFAQ(f); err != nil {
			return err
		}
		if f.ID == "" {
			if rev != 0 {
				return fmt.Errorf("revision %d for a new entry: %w", rev, console.ErrInvalid)
			}
			f.ID = knowledge.FAQID("faq-" + randomHex(8))
		}
		var cur int64
		err := tx.row(ctx, `SELECT rev FROM faqs WHERE id = ?`, f.ID).Scan(&cur)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if rev != 0 && rev != cur {
			if !exists {
				return fmt.Errorf("revision %d, entry deleted: %w", rev, console.ErrConflict)
			}
			return fmt.Errorf("revision %d, stored %d: %w", rev, cur, console.ErrConflict)
		}
		newRev, err := tx.next(ctx, counterDraftRev)
		if err != nil {
			return err
		}
		if exists {
			_, err = tx.exec(ctx, `UPDATE faqs SET questions = ?, answer = ?, report_id = ?, seq = ?,
				rev = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
				encodeList(f.Questions), f.Answer, f.Report, f.Seq, newRev, formatTime(tx.now), by, f.ID)
		} else {
			err = tx.insertFAQ(ctx, f, newRev, by)
		}
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, by, console.ActionFAQSave, faqTarget(f.ID), f.Questions[0]); err != nil {
			return err
		}
		e, err = scanFAQ(tx.row(ctx, `SELECT `+faqColumns+` FROM faqs WHERE id = ?`, f.ID))
		return err
	})
	if err != nil {
		return console.FAQEntry{}, fmt.Errorf("sqldb: save faq %q: %w", f.ID, err)
	}
	return e, nil
}

// insertFAQ adds f at the end of the list.
func (tx *wtx) insertFAQ(ctx context.Context, f knowledge.FAQ, rev int64, by string) error {
	_, err := tx.exec(ctx, `INSERT INTO faqs (id, pos, questions, answer, report_id, seq, rev, updated_at, updated_by)
		VALUES (?, (SELECT COALESCE(MAX(pos), 0) + 1 FROM faqs), ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, encodeList(f.Questions), f.Answer, f.Report, f.Seq, rev, formatTime(tx.now), by)
	return err
}

// DeleteFAQ deletes the draft FAQ entry with the given ID. It returns an
// error wrapping ErrNotFound when there is no such entry, and ErrConflict
// when rev is not 0 and the entry has been saved since revision rev. The
// audit entry's Detail is the entry's first question.
func (db *DB) DeleteFAQ(ctx context.Context, id knowledge.FAQID, rev int64, by string) error {
	err := db.writeTx(ctx, func(tx *wtx) error {
		var cur int64
		var questions string
		err := tx.row(ctx, `SELECT rev, questions FROM faqs WHERE id = ?`, id).Scan(&cur, &questions)
		if errors.Is(err, sql.ErrNoRows) {
			return console.ErrNotFound
		} else if err != nil {
			return err
		}
		if rev != 0 && rev != cur {
			return fmt.Errorf("revision %d, stored %d: %w", rev, cur, console.ErrConflict)
		}
		if _, err := tx.exec(ctx, `DELETE FROM faqs WHERE id = ?`, id); err != nil {
			return err
		}
		first := ""
		if list, err := decodeList(questions); err == nil && len(list) > 0 {
			first = list[0]
		}
		return tx.audit(ctx, by, console.ActionFAQDelete, faqTarget(id), first)
	})
	if err != nil {
		return fmt.Errorf("sqldb: delete faq %q: %w", id, err)
	}
	return nil
}
