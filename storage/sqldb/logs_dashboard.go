package sqldb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"fazhibot/console"
)

// dayRange returns the stored days of from and to and midnight of each,
// checking the range.
func dayRange(from, to time.Time) (first, last string, start, end time.Time, err error) {
	start, end = console.StartOfDay(from), console.StartOfDay(to)
	if end.Before(start) {
		return "", "", start, end, fmt.Errorf("range %s to %s: %w", dayOf(from), dayOf(to), console.ErrInvalid)
	}
	if days := int(end.Sub(start).Hours()/24) + 1; days > console.MaxDashboardDays {
		return "", "", start, end, fmt.Errorf("range of %d days, more than %d: %w", days, console.MaxDashboardDays, console.ErrInvalid)
	}
	return dayOf(start), dayOf(end), start, end, nil
}

// Dashboard returns the summary of the days from the day of from through
// the day of to (both included, days in LogZone). It reads only the
// rollups, in three parts read concurrently (days, questions, hits), each
// as of one moment. Its cost grows with the days and the distinct
// questions of the range: see the package benchmark. It returns
// ErrInvalid when to's day is before from's or the range is longer than
// MaxDashboardDays. It is safe for concurrent use.
func (db *DB) Dashboard(ctx context.Context, from, to time.Time) (console.Dashboard, error) {
	first, last, start, end, err := dayRange(from, to)
	if err != nil {
		return console.Dashboard{}, fmt.Errorf("sqldb: dashboard: %w", err)
	}
	d := console.Dashboard{From: start, To: end}
	// The three parts are read at once, each in a read transaction.
	var wg sync.WaitGroup
	var textErr, hitErr error
	wg.Go(func() {
		textErr = db.readTx(ctx, func(q q) error {
			var err error
			d.TopQuestions, d.TopUnanswered, err = topTexts(ctx, q, first, last, console.DashboardTop, console.DashboardTop)
			return err
		})
	})
	wg.Go(func() {
		hitErr = db.readTx(ctx, func(q q) error {
			var err error
			if d.Reports, err = reportHits(ctx, q, first, last); err != nil {
				return err
			}
			d.Passages, err = passageHits(ctx, q, first, last, console.DashboardTop)
			return err
		})
	})
	dayErr := db.readTx(ctx, func(q q) error { return readDays(ctx, q, &d, first, last) })
	wg.Wait()
	if err := errors.Join(dayErr, textErr, hitErr); err != nil {
		return console.Dashboard{}, fmt.Errorf("sqldb: dashboard: %w", err)
	}
	return d, nil
}

// percentile estimates the p-quantile of the latency histogram h.
func percentile(h []int64, p float64) time.Duration {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(p * float64(n)))
	var cum int64
	for i, c := range h {
		if c == 0 || cum+c < rank {
			cum += c
			continue
		}
		if i == len(latencyBounds) {
			return latencyBounds[len(latencyBounds)-1]
		}
		var lower time.Duration
		if i > 0 {
			lower = latencyBounds[i-1]
		}
		frac := float64(rank-cum) / float64(c)
		return lower + time.Duration(frac*float64(latencyBounds[i]-lower)).Round(time.Millisecond)
	}
	return latencyBounds[len(latencyBounds)-1]
}

// TopQuestions returns up to limit normalised questions most asked on the
// days from the day of from through the day of to, most asked first; ties
// come in an arbitrary but stable order, and questions asked only once
// ever come last, the latest first. It reads only the rollups. It returns ErrInvalid for a limit outside
// 1 to 1000 and a range Dashboard refuses. It is safe for concurrent use.
func (db *DB) TopQuestions(ctx context.Context, from, to time.Time, limit int) ([]console.TextCount, error) {
	return db.top(ctx, "top questions", from, to, false, limit)
}

// TopUnanswered returns up to limit normalised questions most often not
// answered on the days from the day of from through the day of to, most
// often first; questions always answered are left out. The staff pages
// group similar texts themselves. Errors are those of TopQuestions. It is
// safe for concurrent use.
func (db *DB) TopUnanswered(ctx context.Context, from, to time.Time, limit int) ([]console.TextCount, error) {
	return db.top(ctx, "top unanswered", from, to, true, limit)
}

func (db *DB) top(ctx context.Context, what string, from, to time.Time, unanswered bool, limit int) ([]console.TextCount, error) {
	if limit < 1 || limit > console.MaxLogLimit {
		return nil, fmt.Errorf("sqldb: %s: limit %d: %w", what, limit, console.ErrInvalid)
	}
	first, last, _, _, err := dayRange(from, to)
	if err != nil {
		return nil, fmt.Errorf("sqldb: %s: %w", what, err)
	}
	asked := limit
	if unanswered {
		asked = 0
	} else {
		limit = 0
	}
	top, notAnswered, err := topTexts(ctx, q{db.dialect, db.read}, first, last, asked, limit)
	if err != nil {
		return nil, fmt.Errorf("sqldb: %s: %w", what, err)
	}
	if unanswered {
		return notAnswered, nil
	}
	return top, nil
}

// topTexts reads, in one pass over the rollup, the top normalised
// questions of the stored days first through last: up to asked of the
// most asked and up to unanswered of the most often unanswered. Ties are
// broken by text key, which is arbitrary but stable; texts asked once ever
// come last, the latest first.
func topTexts(ctx context.Context, q q, first, last string, asked, unanswered int) (top, notAnswered []console.TextCount, err error) {
	rows, err := q.query(ctx, `WITH agg AS MATERIALIZED (
			SELECT text_key, CAST(SUM(asked) AS BIGINT) AS asked, CAST(SUM(answered) AS BIGINT) AS answered
			FROM query_text_daily WHERE day >= ? AND day <= ? GROUP BY text_key
		), top AS (
			SELECT 0 AS list, text_key, asked, answered, asked AS measure
			FROM agg ORDER BY asked DESC, text_key LIMIT ?
		), unanswered AS (
			SELECT 1 AS list, text_key, asked, answered, asked - answered AS measure
			FROM agg WHERE asked > answered ORDER BY asked - answered DESC, text_key LIMIT ?
		)
		SELECT s.list, t.norm, t.sample, s.asked, s.answered
		FROM (SELECT * FROM top UNION ALL SELECT * FROM unanswered) s
		JOIN query_texts t ON t.text_key = s.text_key
		ORDER BY s.list, s.measure DESC, s.text_key`, first, last, asked, unanswered)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var list int
		var t console.TextCount
		if err := rows.Scan(&list, &t.Text, &t.Sample, &t.Asked, &t.Answered); err != nil {
			return nil, nil, err
		}
		if list == 0 {
			top = append(top, t)
		} else {
			notAnswered = append(notAnswered, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	if top, err = padTexts(ctx, q, first, last, top, asked, false); err != nil {
		return nil, nil, err
	}
	notAnswered, err = padTexts(ctx, q, first, last, notAnswered, unanswered, true)
	return top, notAnswered, err
}

// padTexts fills a list shorter than limit with texts asked once ever (which
// query_text_daily leaves out) on the days first through last, the latest
// first; only unanswered ones when unanswered is set.
func padTexts(ctx context.Context, q q, first, last string, list []console.TextCount, limit int, unanswered bool) ([]console.TextCount, error) {
	if len(list) >= limit {
		return list, nil
	}
	cond := ""
	if unanswered {
		cond = " AND first_answered = 0"
	}
	rows, err := q.query(ctx, `SELECT norm, sample, first_answered FROM query_texts
		WHERE total = 1 AND first_day >= ? AND first_day <= ?`+cond+`
		ORDER BY first_day DESC, text_key DESC LIMIT ?`, first, last, limit-len(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		t := console.TextCount{Asked: 1}
		if err := rows.Scan(&t.Text, &t.Sample, &t.Answered); err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

func reportHits(ctx context.Context, q q, first, last string) ([]console.ReportHits, error) {
	rows, err := q.query(ctx, `SELECT report_id, CAST(SUM(hits) AS BIGINT) AS h, CAST(SUM(quoted) AS BIGINT) AS qu
		FROM query_report_daily WHERE day >= ? AND day <= ?
		GROUP BY report_id ORDER BY qu DESC, h DESC, report_id`, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []console.ReportHits
	for rows.Next() {
		var r console.ReportHits
		if err := rows.Scan(&r.Report, &r.Hits, &r.Quoted); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

func passageHits(ctx context.Context, q q, first, last string, limit int) ([]console.PassageHits, error) {
	rows, err := q.query(ctx, `SELECT report_id, seq, CAST(SUM(hits) AS BIGINT) AS h, CAST(SUM(quoted) AS BIGINT) AS qu
		FROM query_hits_daily WHERE day >= ? AND day <= ?
		GROUP BY report_id, seq ORDER BY qu DESC, h DESC, report_id, seq LIMIT ?`, first, last, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []console.PassageHits
	for rows.Next() {
		var p console.PassageHits
		if err := rows.Scan(&p.Report, &p.Seq, &p.Hits, &p.Quoted); err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, rows.Err()
}

// readDays fills in d.Days and d.Total from the daily rollups of the
// stored days first through last.
func readDays(ctx context.Context, q q, d *console.Dashboard, first, last string) error {
	byDay := map[string]*console.DayStats{}
	hist := map[string]*[latencyBuckets]int64{}
	for t := d.From; !t.After(d.To); t = t.AddDate(0, 0, 1) {
		d.Days = append(d.Days, console.DayStats{Day: t})
		hist[dayOf(t)] = &[latencyBuckets]int64{}
	}
	for i := range d.Days {
		byDay[dayOf(d.Days[i].Day)] = &d.Days[i]
	}
	rows, err := q.query(ctx, `SELECT day, messages, questions, answered, satisfied, unsatisfied
		FROM query_daily WHERE day >= ? AND day <= ?`, first, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		var s console.DayStats
		if err := rows.Scan(&day, &s.Messages, &s.Questions, &s.Answered, &s.Satisfied, &s.Unsatisfied); err != nil {
			return err
		}
		if p := byDay[day]; p != nil {
			s.Day = p.Day
			*p = s
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	rows, err = q.query(ctx, `SELECT day, bucket, n FROM query_latency_daily WHERE day >= ? AND day <= ?`, first, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	var total [latencyBuckets]int64
	for rows.Next() {
		var day string
		var bucket int
		var n int64
		if err := rows.Scan(&day, &bucket, &n); err != nil {
			return err
		}
		if h := hist[day]; h != nil && bucket >= 0 && bucket < latencyBuckets {
			h[bucket] += n
			total[bucket] += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}

	d.Total = console.DayStats{Day: d.From}
	for i := range d.Days {
		s := &d.Days[i]
		s.P95Latency = percentile(hist[dayOf(s.Day)][:], 0.95)
		d.Total.Messages += s.Messages
		d.Total.Questions += s.Questions
		d.Total.Answered += s.Answered
		d.Total.Satisfied += s.Satisfied
		d.Total.Unsatisfied += s.Unsatisfied
	}
	d.Total.P95Latency = percentile(total[:], 0.95)
	return nil
}
