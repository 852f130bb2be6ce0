package bot

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"fazhibot/knowledge"
)

// TestSessionEncoding: a session survives encode and decodeSession
// field by field, and every truncation or corruption of its encoding
// decodes to a fresh session instead of failing.
func TestSessionEncoding(t *testing.T) {
	s := Session{
		Version:  sessionVersion,
		Topic:    &Topic{Question: "生态环境局2020年罚款多少", Terms: []string{"罚款"}, Year: 2020, Department: "江津区生态环境局"},
		Query:    &SessionQuery{Text: "合格率呢", Year: -3, Department: "江津区司法局", Context: []string{"罚款", "处罚"}},
		Hits:     storedHits([]knowledge.Hit{{ReportID: "jj-sthjj-2020", Seq: 7, Title: "T", Department: "D", Year: 2020, Path: []string{"一、"}, Text: "正文316.79万元", Score: 12.5, Confidence: 0.875, Matched: []string{"罚款"}}, {ReportID: "r2", Seq: 0, Text: "x"}}),
		Shown:    1,
		Choices:  []Choice{{Label: "区司法局2021年度:(一)", Hit: 1}, {Label: "热门问题", Question: "热门问题"}, {Label: "标签", Question: "另一个问题"}},
		Rest:     "剩下的部分",
		Exchange: "0123456789abcdef",
	}
	data := s.encode()
	got := decodeSession(data, nil)
	for i := range got.Hits {
		if got.Hits[i].ref == nil || got.Hits[i].ref.resolved {
			t.Fatalf("hit %d decoded without a reference to resolve", i)
		}
		got.Hits[i].ref, s.Hits[i].ref = nil, nil
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got, s)
	}
	if !strings.Contains(string(data), "剩下的部分") || strings.Contains(string(data), "正文") {
		t.Errorf("encoding %q should hold the rest of a reply but no passage text", data)
	}
	if fresh := decodeSession(Session{Version: sessionVersion, Shown: -1}.encode(), nil); fresh.Shown != -1 || fresh.Topic != nil || fresh.Hits != nil {
		t.Errorf("empty session decoded as %+v", fresh)
	}
	isFresh := func(d Session) bool {
		return d.Topic == nil && d.Query == nil && d.Hits == nil && d.Shown == -1 && d.Rest == ""
	}
	for n := range len(data) {
		if d := decodeSession(data[:n], nil); !isFresh(d) {
			t.Fatalf("truncated to %d bytes: %+v", n, d)
		}
	}
	if d := decodeSession(append(data[:len(data):len(data)], 0), nil); !isFresh(d) {
		t.Errorf("trailing byte: %+v", d)
	}
	// A Shown out of range means nothing was shown.
	s.Shown = 5
	if d := decodeSession(s.encode(), nil); d.Shown != -1 || len(d.Hits) != 2 {
		t.Errorf("shown 5 of 2 hits decoded as shown %d", d.Shown)
	}
}

func FuzzDecodeSession(f *testing.F) {
	f.Add(Session{Version: sessionVersion, Topic: &Topic{Question: "q"}, Hits: storedHits([]knowledge.Hit{{ReportID: "r", Text: "t"}}), Shown: 0, Choices: []Choice{{Label: "a", Hit: 0}}}.encode())
	f.Add([]byte{sessionMagic, sessionVersion, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := decodeSession(data, nil)
		if s.Shown < -1 || s.Shown >= len(s.Hits) {
			t.Fatalf("shown %d of %d hits", s.Shown, len(s.Hits))
		}
		// What decodes re-encodes to the same bytes.
		if s.Topic != nil || s.Query != nil || s.Hits != nil || s.Choices != nil || s.Rest != "" || s.Exchange != "" {
			if again := decodeSession(s.encode(), nil); !reflect.DeepEqual(stripRefs(again), stripRefs(s)) {
				t.Fatalf("re-encoded %+v as %+v", s, again)
			}
		}
	})
}

func stripRefs(s Session) Session {
	s.Hits = append([]SessionHit(nil), s.Hits...)
	for i := range s.Hits {
		s.Hits[i].ref = nil
	}
	return s
}

// TestSessionIsCompact: a stored session holds references, not passages:
// after a question with several long hits it stays under 1 KB.
func TestSessionIsCompact(t *testing.T) {
	h := newHarness(t, mustBase(t), nil)
	r := h.say("区政府2022年行政复议收了多少件申请")
	if !r.Answered || len(r.Hits) < 3 {
		t.Fatalf("answer %v with %d hits", r.Answered, len(r.Hits))
	}
	h.store.mu.Lock()
	data := h.store.sessions["api:u1"]
	h.store.mu.Unlock()
	texts := 0
	for _, hit := range r.Hits {
		texts += len(hit.Text)
		if strings.Contains(string(data), hit.Text) {
			t.Errorf("session holds the text of %s#%d", hit.ReportID, hit.Seq)
		}
	}
	if len(data) > 1024 {
		t.Errorf("session of %d bytes (its %d hits' texts are %d bytes)", len(data), len(r.Hits), texts)
	}
	t.Logf("session of %d bytes for %d hits of %d bytes of text", len(data), len(r.Hits), texts)
}

// republishKit builds knowledge bases from the hand-made reports with
// changes, as staff would publish them.
func republishKit(t *testing.T, change func([]*knowledge.Report) []*knowledge.Report) *knowledge.Base {
	t.Helper()
	k, err := testKit()
	if err != nil {
		t.Fatal(err)
	}
	base := mustHandMade(t)
	var reports []*knowledge.Report
	for _, id := range []knowledge.ReportID{"t-sfj-2021", "t-jtj-2021", "t-jw-2022"} {
		r, ok := base.Report(id)
		if !ok {
			t.Fatalf("no report %s", id)
		}
		c := *r
		c.Passages = append([]knowledge.Passage(nil), r.Passages...)
		reports = append(reports, &c)
	}
	b, err := knowledge.Build(change(reports), knowledge.Options{Segmenter: k.seg, Terms: k.terms})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSessionAfterRepublish: hits are stored as references and looked up
// in the knowledge base current for each message. Unchanged passages are
// shown after a republish as before (详情, 更多, digit choices, 满意); a
// passage changed or removed is never quoted from memory: the reply says
// the reports changed, and the topic stays for follow-ups.
func TestSessionAfterRepublish(t *testing.T) {
	old := mustHandMade(t)
	added := republishKit(t, func(rs []*knowledge.Report) []*knowledge.Report {
		return append(rs, &knowledge.Report{ID: "t-new-2023", Title: "新报告", Department: "江津区水利局", Year: 2023,
			Passages: []knowledge.Passage{{Seq: 0, Path: []string{"一、主要工作"}, Text: "全年办理取水许可35件。"}}})
	})
	changed := republishKit(t, func(rs []*knowledge.Report) []*knowledge.Report {
		rs[1].Passages[0].Text = "全年开展法治讲座15场,参与群众4000人次。"
		return rs
	})
	removed := republishKit(t, func(rs []*knowledge.Report) []*knowledge.Report { return []*knowledge.Report{rs[0], rs[2]} })

	newConversation := func(t *testing.T) (*harness, *atomic.Pointer[knowledge.Base]) {
		t.Helper()
		var cur atomic.Pointer[knowledge.Base]
		cur.Store(old)
		h := newHarness(t, nil, func(o *Options) { o.Current = func() Knowledge { return cur.Load() } })
		return h, &cur
	}

	t.Run("unchanged passages", func(t *testing.T) {
		h, cur := newConversation(t)
		if r := h.say("2021年开展了多少场法治讲座"); r.Intent != IntentClarify {
			t.Fatalf("close hits: %s %q", r.Intent, r.Text)
		}
		cur.Store(added)
		r := h.say("2")
		if r.Intent != IntentChoice || !r.Answered || !strings.Contains(r.Text, "【江津区交通局·2021年度法治政府建设报告】\n全年开展法治讲座12场") {
			t.Fatalf("digit after a republish that kept the passage: %s %v %q", r.Intent, r.Answered, r.Text)
		}
		if f := h.say("满意"); f.Intent != IntentFeedback || h.last().RefersTo != r.Exchange {
			t.Fatalf("满意 refers to %q, want %q", h.last().RefersTo, r.Exchange)
		}
		if d := h.say("详情"); d.Intent != IntentDetail || !d.Answered || !strings.Contains(d.Text, "参与群众3000人次") {
			t.Fatalf("详情: %s %q", d.Intent, d.Text)
		}
		first := h.say("2022年校舍安全改造投资多少")
		cur.Store(old)
		var pages []string
		for p := h.say("详情"); ; p = h.say("更多") {
			pages = append(pages, p.Text)
			if p.Next != NextPage || len(pages) > 10 {
				break
			}
		}
		if strings.Join(pages, "") != fullText(first.Hits[0]) {
			t.Fatalf("详情 and 更多 of a long passage across a republish: %d pages do not add up", len(pages))
		}
	})

	for _, tt := range []struct {
		name string
		base *knowledge.Base
	}{{"changed passage", changed}, {"removed report", removed}} {
		t.Run(tt.name, func(t *testing.T) {
			h, cur := newConversation(t)
			h.say("2021年开展了多少场法治讲座")
			cur.Store(tt.base)
			r := h.say("2")
			if r.Intent != IntentChoice || r.Answered || r.Text != outdatedText {
				t.Fatalf("digit of a changed passage: %s %v %q", r.Intent, r.Answered, r.Text)
			}
			if r := h.say("1"); r.Intent != IntentChoice || strings.Contains(r.Text, "讲座") {
				t.Fatalf("the choices should be forgotten: %s %q", r.Intent, r.Text)
			}
			if s := h.session(); s.Topic == nil || len(s.Hits) != 0 || s.Shown != -1 {
				t.Fatalf("session after an outdated choice: %+v", s)
			}

			// 详情 and 更多 of a passage shown before the republish.
			h, cur = newConversation(t)
			h.say("2022年校舍安全改造投资多少")
			if r := h.say("交通局2021年开展了多少场法治讲座"); !r.Answered || r.Hits[0].ReportID != "t-jtj-2021" {
				t.Fatalf("交通局: %v %q", r.Answered, r.Text)
			}
			cur.Store(tt.base)
			if r := h.say("详情"); r.Answered || r.Text != outdatedText || r.Intent != IntentDetail {
				t.Fatalf("详情 of a passage no longer there: %s %v %q", r.Intent, r.Answered, r.Text)
			}
			if s := h.session(); s.Topic == nil || s.Topic.Department != "江津区交通局" || s.Hits != nil {
				t.Fatalf("session after an outdated 详情: %+v", s)
			}
		})
	}

	t.Run("paging through a changed passage", func(t *testing.T) {
		h, cur := newConversation(t)
		h.say("2022年校舍安全改造投资多少")
		if r := h.say("详情"); r.Next != NextPage {
			t.Fatalf("详情 of the long passage is one page: %q", r.Text)
		}
		cur.Store(republishKit(t, func(rs []*knowledge.Report) []*knowledge.Report {
			rs[2].Passages[0].Text = "校舍安全改造工程已全部完成。"
			return rs
		}))
		if r := h.say("更多"); r.Intent != IntentMore || r.Answered || r.Text != outdatedText {
			t.Fatalf("更多 of a passage changed while paging: %s %v %q", r.Intent, r.Answered, r.Text)
		}
		if s := h.session(); s.Rest != "" || s.Hits != nil {
			t.Fatalf("session kept the rest of a changed passage: %+v", s)
		}
	})

	t.Run("更多 to a changed hit", func(t *testing.T) {
		var cur atomic.Pointer[knowledge.Base]
		cur.Store(mustBase(t))
		h := newHarness(t, nil, func(o *Options) { o.Current = func() Knowledge { return cur.Load() } })
		r := h.say("区政府2022年行政复议收了多少件申请")
		if !r.Answered || len(r.Hits) < 2 || r.Hits[1].Confidence < relatedConfidence {
			t.Fatalf("needs a second related hit: %v, %d hits", r.Answered, len(r.Hits))
		}
		next := r.Hits[1]
		cur.Store(editedSampleBase(t, next.ReportID, next.Seq))
		if m := h.say("更多"); m.Intent != IntentMore || m.Answered || m.Text != outdatedText {
			t.Fatalf("更多 to a changed passage: %s %v %q", m.Intent, m.Answered, m.Text)
		}
		if m := h.say("更多"); m.Answered || m.Intent != IntentMore || !strings.Contains(m.Text, "请先提出您的问题") {
			t.Fatalf("更多 after the hits were forgotten: %s %v %q", m.Intent, m.Answered, m.Text)
		}
		// The topic stays: a follow-up is still read in it.
		if f := h.say("那2021年呢"); h.last().FollowUp != FollowUpRefine {
			t.Fatalf("follow-up after an outdated 更多: %s %q", h.last().FollowUp, f.Text)
		}
	})
}

// editedSampleBase is the sample knowledge base with passage seq of
// report id edited, as staff would republish it.
func editedSampleBase(t *testing.T, id knowledge.ReportID, seq int) *knowledge.Base {
	t.Helper()
	k, err := testKit()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../knowledge/testdata/reports/jj-*")
	if err != nil {
		t.Fatal(err)
	}
	var reports []*knowledge.Report
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := knowledge.Parse(filepath.Base(f), data)
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == id {
			r.Passages[seq].Text += "(已修订)"
		}
		knowledge.AssignKeywords(r, k.seg)
		reports = append(reports, r)
	}
	b, err := knowledge.Build(reports, knowledge.Options{Segmenter: k.seg, Terms: k.terms})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPassageSum: the checksum changes with any part of what a reply
// shows of a passage, including a single byte anywhere in its text.
func TestPassageSum(t *testing.T) {
	h := knowledge.Hit{Title: "司法局2021年度报告", Department: "江津区司法局", Year: 2021, Text: "全年开展法治讲座12场,参与群众3000人次。"}
	sums := map[uint64]string{passageSum(h): "original"}
	add := func(what string, c knowledge.Hit) {
		s := passageSum(c)
		if prev, ok := sums[s]; ok {
			t.Errorf("%s: same sum as %s", what, prev)
		}
		sums[s] = what
	}
	for i := range len(h.Text) {
		c := h
		b := []byte(c.Text)
		b[i] ^= 1
		c.Text = string(b)
		add(fmt.Sprintf("text byte %d", i), c)
	}
	c := h
	c.Year = 2022
	add("year", c)
	c = h
	c.Department, c.Title = h.Department+"x", h.Title
	add("department", c)
	c = h
	c.Title, c.Department = h.Title[:3], h.Title[3:]+h.Department // the same bytes, cut elsewhere
	add("title and department cut elsewhere", c)
	c = h
	c.Text = h.Text + " "
	add("text longer", c)
	c = h
	c.Score, c.Path, c.Matched = 99, []string{"x"}, []string{"y"}
	if passageSum(c) != passageSum(h) {
		t.Error("the sum depends on the ranking or the path")
	}
}
