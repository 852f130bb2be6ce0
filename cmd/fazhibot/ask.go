package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"fazhibot/bot"
	"fazhibot/knowledge"
	"fazhibot/storage/memstore"
)

// askResult is the --json output of ask.
type askResult struct {
	Answered bool     `json:"answered"`
	Reason   string   `json:"reason,omitempty"`
	Reply    string   `json:"reply"`
	Hits     []askHit `json:"hits"`
	Year     int      `json:"year,omitempty"`
	Dept     string   `json:"department,omitempty"`
	Terms    []string `json:"terms,omitempty"`
	// Corrections are the rewrites applied to the question before
	// searching (typos, short forms, colloquial words); [] when none.
	Corrections []askCorrection `json:"corrections"`
}

// askCorrection is one knowledge.Correction: From as typed, To as the
// reports write it, Kind the code and Label its Chinese name (同音 …).
type askCorrection struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Kind  string `json:"kind"`
	Label string `json:"label"`
}

type askHit struct {
	ReportID   knowledge.ReportID `json:"report_id"`
	Title      string             `json:"title"`
	Section    string             `json:"section"`
	Score      float64            `json:"score"`
	Confidence float64            `json:"confidence"`
	Matched    []string           `json:"matched"`
}

// newAskResult is the --json output for the reply r the dialogue gave,
// with the details of a, the search behind it (the zero Answer when the
// dialogue did not search, as for a greeting).
func newAskResult(r bot.Reply, a knowledge.Answer) askResult {
	res := askResult{Answered: r.Answered, Reason: string(r.Reason), Reply: r.PlainText(), Year: a.Year, Dept: a.Department, Terms: a.Terms,
		Hits: []askHit{}, Corrections: []askCorrection{}}
	for _, c := range a.Corrections {
		res.Corrections = append(res.Corrections, askCorrection{From: c.From, To: c.To, Kind: string(c.Kind), Label: c.Kind.Label()})
	}
	for _, h := range r.Hits {
		res.Hits = append(res.Hits, askHit{ReportID: h.ReportID, Title: h.Title, Section: h.Section(), Score: round(h.Score), Confidence: round(h.Confidence), Matched: h.Matched})
	}
	return res
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// askUsage is the usage of the ask command.
const askUsage = `用法: fazhibot ask [--json] [--live] "问题"
像市民在微信里一样提一个问题(新的对话),输出市民会收到的回复。
  --json  以 JSON 输出 answered、reason、reply、命中的段落(hits:报告、章节、得分、匹配词)和 corrections(纠正与扩展)
  --live  用已发布的版本回答(默认用草稿,便于发布前测试)`

// runAsk asks the bot one question as a citizen asks it in WeChat: through
// the same dialogue (bot.Dialogue with the configured settings), in a
// conversation of its own, and prints the reply exactly as the citizen
// would receive it. With the official account's AppID and AppSecret
// configured, an unanswered question's reply ends with the offer of a
// later answer as in WeChat, but nothing is remembered for it.
func runAsk(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "以 JSON 输出: answered、reply、hits 和 corrections(纠正与扩展)")
	live := fs.Bool("live", false, "用已发布的版本回答(默认用草稿,便于发布前测试)")
	fs.Usage = func() { fmt.Fprintln(e.stderr, askUsage) }
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if question == "" {
		fs.Usage()
		return errUsage
	}
	a, err := openApp(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	base, err := a.baseFor(ctx, *live)
	if err != nil {
		return err
	}
	if strings.TrimSpace(e.cfg.WeChat.AppID) != "" && strings.TrimSpace(e.cfg.WeChat.AppSecret) != "" {
		a.notifier = dryNotifier{}
	}
	store := memstore.New(nil)
	defer store.Close()
	k := &firstAnswer{Knowledge: base}
	d, err := a.dialogue(func() bot.Knowledge { return k }, store, nil, nil)
	if err != nil {
		return err
	}
	r := d.Respond(ctx, bot.Message{Channel: bot.ChannelWeChat, User: "ask", Kind: bot.KindText, Text: question, Time: time.Now()})
	if err := ctx.Err(); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(newAskResult(r, k.answer))
	}
	fmt.Fprintln(e.stdout, r.PlainText())
	return nil
}

// firstAnswer is the knowledge base of one ask: it keeps the first answer
// the dialogue got, the search for the question as asked, for --json. It
// serves one goroutine.
type firstAnswer struct {
	bot.Knowledge
	answer knowledge.Answer
	asked  bool
}

func (f *firstAnswer) Answer(ctx context.Context, q knowledge.Query) (knowledge.Answer, error) {
	a, err := f.Knowledge.Answer(ctx, q)
	if err == nil && !f.asked {
		f.answer, f.asked = a, true
	}
	return a, err
}

// dryNotifier lets ask show the reply of a WeChat question that the bot
// offers to answer later, without remembering the question.
type dryNotifier struct{}

func (dryNotifier) Remember(context.Context, bot.UserID, string, time.Time) error { return nil }
func (dryNotifier) Forget(context.Context, bot.UserID) (int, error)               { return 0, nil }
