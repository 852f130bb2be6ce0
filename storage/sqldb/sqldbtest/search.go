package sqldbtest

import (
	"fmt"
	"strings"
	"testing"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// passageKeys names passages as "report#seq".
func passageKeys(list []console.PassageEntry) []string {
	var out []string
	for _, e := range list {
		out = append(out, fmt.Sprintf("%s#%d", e.Report, e.Seq))
	}
	return out
}

func testSearchPassages(t *testing.T, h harness) {
	db := h.fresh(t)
	a := fictional("a", 3, "甲")
	a.Passages[1].Text = "行政复议案件 50% 办结，Law_Firm 参与。"
	a.Passages[2].Keywords = []string{"公证"}
	b := fictional("b", 2, "乙")
	b.Passages[0].Path = []string{"二、存在问题"}
	save(t, db, b, a)

	tests := []struct {
		name  string
		terms []string
		limit int
		want  []string
		err   error
	}{
		{"text, every report, in order", []string{"第0段"}, 10, []string{"a#0", "b#0"}, nil},
		{"all terms must match", []string{"甲", "第2段"}, 10, []string{"a#2"}, nil},
		{"keywords", []string{"公证"}, 10, []string{"a#2"}, nil},
		{"section path", []string{"存在问题"}, 10, []string{"b#0"}, nil},
		{"ASCII in either case", []string{"law_firm"}, 10, []string{"a#1"}, nil},
		{"% is literal", []string{"50%"}, 10, []string{"a#1"}, nil},
		{"_ is literal", []string{"w_f"}, 10, []string{"a#1"}, nil},
		{"no wildcard match", []string{"5_%"}, 10, nil, nil},
		{"limit", []string{"行政复议"}, 2, []string{"a#0", "a#1"}, nil},
		{"no match", []string{"不存在的词"}, 10, nil, nil},
		{"no terms", nil, 10, nil, console.ErrInvalid},
		{"blank term", []string{" "}, 10, nil, console.ErrInvalid},
		{"too many terms", strings.Split(strings.Repeat("甲 ", console.MaxSearchTerms+1), " ")[:console.MaxSearchTerms+1], 10, nil, console.ErrInvalid},
		{"zero limit", []string{"甲"}, 0, nil, console.ErrInvalid},
		{"NUL", []string{"\x00"}, 10, nil, console.ErrInvalid},
	}
	for _, tt := range tests {
		got, err := db.SearchPassages(t.Context(), tt.terms, tt.limit)
		wantErr(t, tt.name, err, tt.err)
		wantEqual(t, tt.name, passageKeys(got), tt.want)
	}
	// The entries are whole: revision and attribution included.
	got, _ := db.SearchPassages(t.Context(), []string{"Law_Firm"}, 1)
	want, _ := db.Passage(t.Context(), "a", 1)
	wantEqual(t, "entry", got, []console.PassageEntry{want})
}

func testSearchAudit(t *testing.T, h harness) {
	db := h.fresh(t)
	ctx := t.Context()
	u := createUser(t, db, "Zhang管理", console.RoleAdmin)
	save(t, db, fictional("a", 2, "甲"), fictional("ab", 1, "乙"))
	if _, err := db.UpdatePassage(ctx, "a", 1, "改", nil, 0, "李编辑"); err != nil {
		t.Fatal(err)
	}
	f := saveFAQ(t, db, faq("一"), 0)
	saveTerms(t, db, knowledge.DictFile, "行政复议", 0)
	if err := db.DeleteReportBy(ctx, "ab", "李编辑"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPasswordHash(ctx, u.ID, "$2a$10$hash", "", "Zhang管理"); err != nil {
		t.Fatal(err)
	}

	type key struct {
		Action console.Action
		Target string
	}
	keys := func(list []console.AuditEntry) []key {
		var out []key
		for _, e := range list {
			out = append(out, key{e.Action, e.Target})
		}
		return out
	}
	tests := []struct {
		name  string
		m     console.AuditMatch
		limit int
		want  []key
		err   error
	}{
		{"actor", console.AuditMatch{Text: "李编辑"}, 10, []key{{console.ActionReportDelete, "report:ab"}, {console.ActionPassageUpdate, "passage:a#1"}}, nil},
		{"actor, ASCII in either case", console.AuditMatch{Text: "zhang"}, 10, []key{{console.ActionUserPassword, "user:1"}}, nil},
		{"detail", console.AuditMatch{Text: "（乙）"}, 10, []key{{console.ActionReportDelete, "report:ab"}, {console.ActionReportImport, "report:ab"}}, nil},
		{"report and its passages, not a longer ID", console.AuditMatch{Reports: []knowledge.ReportID{"a"}}, 10,
			[]key{{console.ActionPassageUpdate, "passage:a#1"}, {console.ActionReportImport, "report:a"}}, nil},
		{"passage", console.AuditMatch{Passages: []console.PassageKey{{Report: "a", Seq: 1}, {Report: "a", Seq: 0}}}, 10,
			[]key{{console.ActionPassageUpdate, "passage:a#1"}}, nil},
		{"FAQ, term file, account", console.AuditMatch{FAQs: []knowledge.FAQID{f.ID}, Terms: []string{knowledge.DictFile}, Users: []console.UserID{u.ID}}, 10,
			[]key{{console.ActionUserPassword, "user:1"}, {console.ActionTermsSave, "terms:dict.txt"},
				{console.ActionFAQSave, "faq:" + string(f.ID)}, {console.ActionUserCreate, "user:1"}}, nil},
		{"text or IDs", console.AuditMatch{Text: "（乙）", FAQs: []knowledge.FAQID{f.ID}}, 10,
			[]key{{console.ActionReportDelete, "report:ab"}, {console.ActionFAQSave, "faq:" + string(f.ID)}, {console.ActionReportImport, "report:ab"}}, nil},
		{"limit keeps the newest", console.AuditMatch{Text: "李编辑"}, 1, []key{{console.ActionReportDelete, "report:ab"}}, nil},
		{"nothing selected", console.AuditMatch{}, 10, nil, nil},
		{"no match", console.AuditMatch{Text: "王五"}, 10, nil, nil},
		{"zero limit", console.AuditMatch{Text: "李"}, 0, nil, console.ErrInvalid},
		{"too many IDs", console.AuditMatch{Terms: make([]string, console.MaxAuditMatchIDs+1)}, 10, nil, console.ErrInvalid},
	}
	for _, tt := range tests {
		got, err := db.SearchAudit(ctx, tt.m, tt.limit)
		wantErr(t, tt.name, err, tt.err)
		wantEqual(t, tt.name, keys(got), tt.want)
	}
}
