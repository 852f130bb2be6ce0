package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// dayCounts are the query_daily counts of one day.
type dayCounts struct {
	messages, questions, answered, satisfied, unsatisfied int64
}

func (d *dayCounts) addVerdict(f console.Feedback, n int64) {
	switch f {
	case console.FeedbackSatisfied:
		d.satisfied += n
	case console.FeedbackUnsatisfied:
		d.unsatisfied += n
	}
}

// textStats are the askings of one normalised text in a batch.
type textStats struct {
	norm, sample  string
	firstDay      string // of the first asking in the batch
	firstAnswered bool
	lastDay       string
	total         int64
	days          map[string]*[2]int64 // asked and answered per day
}

type hitCounts struct{ hits, quoted int64 }

type dayKey struct {
	day string
	key int64
}

type passageKey struct {
	day    string
	report knowledge.ReportID
	seq    int
}

type reportKey struct {
	day    string
	report knowledge.ReportID
}

// rollups are the rollup increments of a set of records.
type rollups struct {
	days     map[string]*dayCounts
	latency  map[dayKey]int64     // key: bucket
	texts    map[int64]*textStats // by text key
	passages map[passageKey]*hitCounts
	reports  map[reportKey]*hitCounts
}

func newRollups() *rollups {
	return &rollups{
		days:     map[string]*dayCounts{},
		latency:  map[dayKey]int64{},
		texts:    map[int64]*textStats{},
		passages: map[passageKey]*hitCounts{},
		reports:  map[reportKey]*hitCounts{},
	}
}

// add counts r.
func (ru *rollups) add(r *console.LogRecord) {
	day := dayOf(r.Time)
	d := ru.days[day]
	if d == nil {
		d = &dayCounts{}
		ru.days[day] = d
	}
	d.messages++
	d.addVerdict(r.Feedback, 1)
	ru.latency[dayKey{day, int64(latencyBucket(r.Latency))}]++
	if r.Question {
		d.questions++
		if r.Answered {
			d.answered++
		}
		if norm := console.NormalizeQuestion(r.Text); norm != "" {
			k := textKey(norm)
			t := ru.texts[k]
			if t == nil {
				t = &textStats{norm: norm, sample: strings.TrimSpace(r.Text), firstDay: day,
					firstAnswered: r.Answered, lastDay: day, days: map[string]*[2]int64{}}
				ru.texts[k] = t
			}
			t.total++
			t.lastDay = max(t.lastDay, day)
			c := t.days[day]
			if c == nil {
				c = &[2]int64{}
				t.days[day] = c
			}
			c[0]++
			c[1] += int64(boolInt(r.Answered))
		}
	}
	if len(r.Hits) > 0 {
		best := r.Hits[0]
		quoted := int64(boolInt(r.Answered))
		pk := passageKey{day, best.Report, best.Seq}
		p := ru.passages[pk]
		if p == nil {
			p = &hitCounts{}
			ru.passages[pk] = p
		}
		p.hits++
		p.quoted += quoted
		rk := reportKey{day, best.Report}
		rc := ru.reports[rk]
		if rc == nil {
			rc = &hitCounts{}
			ru.reports[rk] = rc
		}
		rc.hits++
		rc.quoted += quoted
	}
}

// addRollups adds the inserted records to the rollups.
func (tx *wtx) addRollups(ctx context.Context, inserted []*console.LogRecord) error {
	if len(inserted) == 0 {
		return nil
	}
	ru := newRollups()
	for _, r := range inserted {
		ru.add(r)
	}
	return tx.writeRollups(ctx, ru)
}

// writeRollups adds the increments of ru to the rollup tables. Keys are
// written in sorted order, so that concurrent writers could not deadlock
// even without the log lock.
func (tx *wtx) writeRollups(ctx context.Context, ru *rollups) error {
	if err := tx.upsertDaily(ctx, ru.days); err != nil {
		return err
	}

	lat := slices.SortedFunc(maps.Keys(ru.latency), cmpDayKey)
	err := chunks(len(lat), 3, func(lo, hi int) error {
		args := make([]any, 0, 3*(hi-lo))
		for _, k := range lat[lo:hi] {
			args = append(args, k.day, k.key, ru.latency[k])
		}
		_, err := tx.exec(ctx, `INSERT INTO query_latency_daily (day, bucket, n) VALUES `+placeholders(hi-lo, 3)+`
			ON CONFLICT (day, bucket) DO UPDATE SET n = query_latency_daily.n + excluded.n`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("latency rollup: %w", err)
	}

	if err := tx.writeTextRollups(ctx, ru.texts); err != nil {
		return fmt.Errorf("text rollup: %w", err)
	}

	passages := slices.SortedFunc(maps.Keys(ru.passages), func(a, b passageKey) int {
		return cmpJoin(strings.Compare(a.day, b.day), strings.Compare(string(a.report), string(b.report)), a.seq-b.seq)
	})
	err = chunks(len(passages), 5, func(lo, hi int) error {
		args := make([]any, 0, 5*(hi-lo))
		for _, k := range passages[lo:hi] {
			c := ru.passages[k]
			args = append(args, k.day, string(k.report), k.seq, c.hits, c.quoted)
		}
		_, err := tx.exec(ctx, `INSERT INTO query_hits_daily (day, report_id, seq, hits, quoted) VALUES `+placeholders(hi-lo, 5)+`
			ON CONFLICT (day, report_id, seq) DO UPDATE SET hits = query_hits_daily.hits + excluded.hits,
				quoted = query_hits_daily.quoted + excluded.quoted`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("hit rollup: %w", err)
	}
	reports := slices.SortedFunc(maps.Keys(ru.reports), func(a, b reportKey) int {
		return cmpJoin(strings.Compare(a.day, b.day), strings.Compare(string(a.report), string(b.report)))
	})
	err = chunks(len(reports), 4, func(lo, hi int) error {
		args := make([]any, 0, 4*(hi-lo))
		for _, k := range reports[lo:hi] {
			c := ru.reports[k]
			args = append(args, k.day, string(k.report), c.hits, c.quoted)
		}
		_, err := tx.exec(ctx, `INSERT INTO query_report_daily (day, report_id, hits, quoted) VALUES `+placeholders(hi-lo, 4)+`
			ON CONFLICT (day, report_id) DO UPDATE SET hits = query_report_daily.hits + excluded.hits,
				quoted = query_report_daily.quoted + excluded.quoted`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("hit rollup: %w", err)
	}
	return nil
}

// storedText is the query_texts row of a text.
type storedText struct {
	total         int64
	firstDay      string
	firstAnswered int64
}

// writeTextRollups adds the askings of texts to query_texts and, for texts
// asked more than once, to query_text_daily (see migration 0006).
func (tx *wtx) writeTextRollups(ctx context.Context, texts map[int64]*textStats) error {
	keys := slices.Sorted(maps.Keys(texts))
	stored := map[int64]storedText{}
	err := chunks(len(keys), 1, func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, k := range keys[lo:hi] {
			args = append(args, k)
		}
		rows, err := tx.query(ctx, `SELECT text_key, total, first_day, first_answered FROM query_texts
			WHERE text_key IN (`+strings.TrimSuffix(strings.Repeat("?, ", hi-lo), ", ")+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			var s storedText
			if err := rows.Scan(&k, &s.total, &s.firstDay, &s.firstAnswered); err != nil {
				return err
			}
			stored[k] = s
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}

	daily := map[dayKey]*[2]int64{}
	addDaily := func(day string, key, asked, answered int64) {
		c := daily[dayKey{day, key}]
		if c == nil {
			c = &[2]int64{}
			daily[dayKey{day, key}] = c
		}
		c[0] += asked
		c[1] += answered
	}
	for _, k := range keys {
		t := texts[k]
		s, ok := stored[k]
		if !ok && t.total == 1 {
			continue // asked once so far: query_texts only
		}
		for day, c := range t.days {
			addDaily(day, k, c[0], c[1])
		}
		if ok && s.total == 1 { // its first asking joins the daily counts
			addDaily(s.firstDay, k, 1, s.firstAnswered)
		}
	}

	err = chunks(len(keys), 7, func(lo, hi int) error {
		args := make([]any, 0, 7*(hi-lo))
		for _, k := range keys[lo:hi] {
			t := texts[k]
			args = append(args, k, t.norm, t.sample, t.total, t.firstDay, boolInt(t.firstAnswered), t.lastDay)
		}
		_, err := tx.exec(ctx, `INSERT INTO query_texts (text_key, norm, sample, total, first_day, first_answered, last_day)
			VALUES `+placeholders(hi-lo, 7)+`
			ON CONFLICT (text_key) DO UPDATE SET total = query_texts.total + excluded.total,
				last_day = CASE WHEN excluded.last_day > query_texts.last_day
					THEN excluded.last_day ELSE query_texts.last_day END`, args...)
		return err
	})
	if err != nil {
		return err
	}
	days := slices.SortedFunc(maps.Keys(daily), cmpDayKey)
	return chunks(len(days), 4, func(lo, hi int) error {
		args := make([]any, 0, 4*(hi-lo))
		for _, k := range days[lo:hi] {
			c := daily[k]
			args = append(args, k.day, k.key, c[0], c[1])
		}
		_, err := tx.exec(ctx, `INSERT INTO query_text_daily (day, text_key, asked, answered) VALUES `+placeholders(hi-lo, 4)+`
			ON CONFLICT (day, text_key) DO UPDATE SET asked = query_text_daily.asked + excluded.asked,
				answered = query_text_daily.answered + excluded.answered`, args...)
		return err
	})
}

// upsertDaily adds counts to query_daily.
func (tx *wtx) upsertDaily(ctx context.Context, days map[string]*dayCounts) error {
	list := slices.Sorted(maps.Keys(days))
	err := chunks(len(list), 6, func(lo, hi int) error {
		args := make([]any, 0, 6*(hi-lo))
		for _, day := range list[lo:hi] {
			d := days[day]
			args = append(args, day, d.messages, d.questions, d.answered, d.satisfied, d.unsatisfied)
		}
		_, err := tx.exec(ctx, `INSERT INTO query_daily (day, messages, questions, answered, satisfied, unsatisfied)
			VALUES `+placeholders(hi-lo, 6)+`
			ON CONFLICT (day) DO UPDATE SET messages = query_daily.messages + excluded.messages,
				questions = query_daily.questions + excluded.questions,
				answered = query_daily.answered + excluded.answered,
				satisfied = query_daily.satisfied + excluded.satisfied,
				unsatisfied = query_daily.unsatisfied + excluded.unsatisfied`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("daily rollup: %w", err)
	}
	return nil
}

func cmpDayKey(a, b dayKey) int {
	return cmpJoin(strings.Compare(a.day, b.day), cmp.Compare(a.key, b.key))
}

// cmpJoin returns the first non-zero comparison.
func cmpJoin(cmps ...int) int {
	for _, c := range cmps {
		if c != 0 {
			return c
		}
	}
	return 0
}
