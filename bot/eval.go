package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Question is one entry of a question set, in the schema of the sample
// corpus's questions.jsonl. Unknown fields are ignored.
type Question struct {
	ID string `json:"id"`
	// Kind groups the results: fact, multi, negative, chitchat, …
	Kind string `json:"kind"`
	// Report names the report(s) holding the answer: a string, a list of
	// strings or null. It is informative only.
	Report json.RawMessage `json:"report"`
	// Turns are the messages a citizen sends, in order.
	Turns []string `json:"turns"`
	// Expect holds one list per turn of alternative strings, one of which
	// a correct reply contains verbatim. An empty list means the turn must
	// not be answered from a report (negative questions, small talk).
	Expect [][]string `json:"expect"`
}

// ReadQuestions reads a question set: one JSON object per line; blank
// lines are skipped. It returns an error naming the line (in Chinese, for
// staff) when a line is not valid JSON, has no id or no turns, or has not
// one expect list per turn.
func ReadQuestions(r io.Reader) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	seen := map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("第%d行不是有效的 JSON: %w", n, err)
		}
		switch {
		case strings.TrimSpace(q.ID) == "":
			return nil, fmt.Errorf("第%d行缺少 id", n)
		case seen[q.ID] > 0:
			return nil, fmt.Errorf("第%d行的 id %q 与第%d行重复", n, q.ID, seen[q.ID])
		case len(q.Turns) == 0:
			return nil, fmt.Errorf("第%d行(%s)缺少 turns", n, q.ID)
		case len(q.Expect) != len(q.Turns):
			return nil, fmt.Errorf("第%d行(%s): expect 应有 %d 组(每轮一组),实为 %d 组", n, q.ID, len(q.Turns), len(q.Expect))
		}
		for i, turn := range q.Turns {
			if strings.TrimSpace(turn) == "" {
				return nil, fmt.Errorf("第%d行(%s)第%d轮提问为空", n, q.ID, i+1)
			}
		}
		if q.Kind == "" {
			q.Kind = "unknown"
		}
		seen[q.ID] = n
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("第%d行过长(超过 1MB)", n+1)
		}
		return nil, fmt.Errorf("读取问题集: %w", err)
	}
	return qs, nil
}

// EvalReport is the result of Evaluate.
type EvalReport struct {
	// Kinds are the per-kind scores, sorted by kind.
	Kinds []KindScore
	// OK and Total count the questions of every kind.
	OK, Total int
	// Misses are the turns judged wrong, in question and turn order.
	Misses []Miss
}

// KindScore counts the questions of one kind, and the questions all of
// whose turns were judged correct.
type KindScore struct {
	Kind      string
	OK, Total int
	// TurnsOK and Turns count single turns, which differ from OK and
	// Total for multi-turn questions.
	TurnsOK, Turns int
	// The turns judged wrong, by how: FalseRefusals were not answered
	// although the reports hold the answer, WrongPassages quoted a
	// passage without the expected answer, and FalseAnswers quoted a
	// report where none should have been quoted.
	FalseRefusals, WrongPassages, FalseAnswers int
}

// Accuracy is OK/Total, 0 for no questions.
func (k KindScore) Accuracy() float64 {
	if k.Total == 0 {
		return 0
	}
	return float64(k.OK) / float64(k.Total)
}

// Miss is one turn the bot got wrong.
type Miss struct {
	ID       string
	Kind     string
	Turn     int // 1-based
	Question string
	Expected []string // empty: should not have been answered
	Reply    string
	Answered bool
	Intent   Intent
}

// Score returns the score of kind, zero when the report has none.
func (r EvalReport) Score(kind string) KindScore {
	for _, k := range r.Kinds {
		if k.Kind == kind {
			return k
		}
	}
	return KindScore{Kind: kind}
}

// Evaluate asks every question of qs through d, each as a new user on
// ChannelEval with its turns in order, and judges each turn: a turn with
// expected strings needs an answered reply containing one of them
// verbatim; a turn with none must not be answered. A question is correct
// when all its turns are. Multi-turn questions need d to have a
// SessionStore. Every message is logged through d's QueryLogger, on
// ChannelEval. When ctx is done, Evaluate stops and reports the questions
// asked so far.
func Evaluate(ctx context.Context, d *Dialogue, qs []Question) EvalReport {
	byKind := map[string]*KindScore{}
	var rep EvalReport
	run := newExchangeID() // keeps users apart from earlier runs' sessions
	for _, q := range qs {
		if ctx.Err() != nil {
			break
		}
		ks := byKind[q.Kind]
		if ks == nil {
			ks = &KindScore{Kind: q.Kind}
			byKind[q.Kind] = ks
		}
		user := UserID("eval-" + string(run) + "-" + q.ID)
		allOK := true
		for i, text := range q.Turns {
			r := d.Respond(ctx, Message{Channel: ChannelEval, User: user, Kind: KindText, Text: text})
			var expect []string
			if i < len(q.Expect) {
				expect = q.Expect[i]
			}
			ks.Turns++
			if turnCorrect(expect, r) {
				ks.TurnsOK++
				continue
			}
			switch {
			case len(expect) == 0:
				ks.FalseAnswers++
			case !r.Answered:
				ks.FalseRefusals++
			default:
				ks.WrongPassages++
			}
			allOK = false
			rep.Misses = append(rep.Misses, Miss{
				ID: q.ID, Kind: q.Kind, Turn: i + 1, Question: text, Expected: expect,
				Reply: r.PlainText(), Answered: r.Answered, Intent: r.Intent,
			})
		}
		ks.Total++
		rep.Total++
		if allOK {
			ks.OK++
			rep.OK++
		}
	}
	for _, ks := range byKind {
		rep.Kinds = append(rep.Kinds, *ks)
	}
	sort.Slice(rep.Kinds, func(i, j int) bool { return rep.Kinds[i].Kind < rep.Kinds[j].Kind })
	return rep
}

// Half returns the questions of qs whose ID ends in an odd number (odd
// true) or an even one, keeping their order; questions whose ID does not
// end in a digit are in neither half. The colloquial question set is
// tuned on its odd half and holds out the even one.
func Half(qs []Question, odd bool) []Question {
	var out []Question
	for _, q := range qs {
		if n := len(q.ID); n > 0 && q.ID[n-1] >= '0' && q.ID[n-1] <= '9' {
			if (q.ID[n-1]-'0')%2 == 1 == odd {
				out = append(out, q)
			}
		}
	}
	return out
}

// turnCorrect judges one reply against a turn's expected strings.
func turnCorrect(expect []string, r Reply) bool {
	if len(expect) == 0 {
		return !r.Answered
	}
	if !r.Answered {
		return false
	}
	for _, s := range expect {
		if strings.Contains(r.PlainText(), s) {
			return true
		}
	}
	return false
}
