package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"fazhibot/knowledge"
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

func newAskResult(a knowledge.Answer) askResult {
	res := askResult{Answered: a.Answered, Reason: string(a.Reason), Reply: a.Text, Year: a.Year, Dept: a.Department, Terms: a.Terms,
		Hits: []askHit{}, Corrections: []askCorrection{}}
	for _, c := range a.Corrections {
		res.Corrections = append(res.Corrections, askCorrection{From: c.From, To: c.To, Kind: string(c.Kind), Label: c.Kind.Label()})
	}
	for _, h := range a.Hits {
		res.Hits = append(res.Hits, askHit{ReportID: h.ReportID, Title: h.Title, Section: h.Section(), Score: round(h.Score), Confidence: round(h.Confidence), Matched: h.Matched})
	}
	return res
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func runAsk(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "以 JSON 输出: answered、reply、hits 和 corrections(纠正与扩展)")
	live := fs.Bool("live", false, "用已发布的版本回答(默认用草稿,便于发布前测试)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, `用法: fazhibot ask [--json] [--live] "问题"`)
		fs.PrintDefaults()
	}
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
	ans, err := base.Answer(ctx, knowledge.Query{Text: question})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(newAskResult(ans))
	}
	fmt.Fprintln(e.stdout, ans.Text)
	return nil
}
