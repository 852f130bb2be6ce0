package handlers

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"fazhibot/knowledge"
	"fazhibot/publishing"
)

// TestAdminVersionChanges makes one kind of change to the draft per case
// and reads the draft's changes (API and page): exactly that change shows,
// with its counts; publishing makes a version whose page shows the same
// change against the version before; publishing again without a change is
// refused in Chinese and makes no version.
func TestAdminVersionChanges(t *testing.T) {
	t.Parallel()
	const added = "新增一句：全年开展普法活动12场。"
	tests := []struct {
		name   string
		change func(t *testing.T, e *consoleEnv, s *session)
		counts publishing.Counts
		check  func(t *testing.T, e *consoleEnv, got changesView)
		page   []string // what the changes page shows
	}{
		{
			name: "passage text and keywords",
			change: func(t *testing.T, e *consoleEnv, s *session) {
				p, err := e.db.Passage(t.Context(), liveReport, 2)
				if err != nil {
					t.Fatal(err)
				}
				e.mustDo(request{method: "POST", path: adminPrefix + "reports/" + liveReport + "/passages/2", as: s,
					form: url.Values{"text": {p.Text + added}, "keywords": {"普法宣传"}, "rev": {itoa(p.Rev)}}}, http.StatusSeeOther)
			},
			counts: publishing.Counts{ReportsChanged: 1, PassagesChanged: 1},
			check: func(t *testing.T, e *consoleEnv, got changesView) {
				p, _ := e.db.Passage(t.Context(), liveReport, 2)
				old := strings.TrimSuffix(p.Text, added)
				pc := got.Reports[0].Changes[0]
				if pc.Seq != 2 || pc.Kind != "changed" || !reflect.DeepEqual(pc.Text, []spanView{{"same", old}, {"insert", added}}) ||
					!reflect.DeepEqual(pc.KeywordsAdded, []string{"普法宣传"}) || len(pc.KeywordsRemoved) == 0 {
					t.Errorf("passage change %+v", pc)
				}
			},
			page: []string{"修改段落 <b>1</b>", "第 2 段", "<ins>" + added + "</ins>", "<ins class=\"kw\">＋普法宣传</ins>"},
		},
		{
			name: "term list lines",
			change: func(t *testing.T, e *consoleEnv, s *session) {
				f, err := e.db.TermFile(t.Context(), knowledge.StopwordsFile)
				if err != nil {
					t.Fatal(err)
				}
				e.mustDo(request{method: "POST", path: adminPrefix + "terms/" + knowledge.StopwordsFile, as: s,
					form: url.Values{"text": {f.Text + "\n请问一下\n"}, "rev": {itoa(f.Rev)}}}, http.StatusSeeOther)
			},
			counts: publishing.Counts{TermLinesAdded: 1},
			check: func(t *testing.T, _ *consoleEnv, got changesView) {
				if len(got.Terms) != 1 || got.Terms[0].Name != knowledge.StopwordsFile || !reflect.DeepEqual(got.Terms[0].Added, []string{"请问一下"}) {
					t.Errorf("term changes %+v", got.Terms)
				}
			},
			page: []string{"词表新增行 <b>1</b>", "<ins>＋ 请问一下</ins>", termInfo(knowledge.StopwordsFile).Label},
		},
		{
			name: "FAQ added",
			change: func(t *testing.T, e *consoleEnv, _ *session) {
				e.mustDo(request{method: "POST", path: adminAPIPrefix + "faq", bearer: e.staff.token, json: faqEdit{
					Questions: []string{"复议去哪里申请"}, Answer: "向区司法局申请。", Report: liveReport, Seq: 3}}, http.StatusCreated)
			},
			counts: publishing.Counts{FAQsAdded: 1},
			check: func(t *testing.T, _ *consoleEnv, got changesView) {
				if len(got.FAQs) != 1 || got.FAQs[0].Question != "复议去哪里申请" || !strings.Contains(got.FAQs[0].NewLink, "第 3 段") {
					t.Errorf("FAQ changes %+v", got.FAQs)
				}
			},
			page: []string{"新增 FAQ <b>1</b>", "“复议去哪里申请”", "<ins>向区司法局申请。</ins>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newConsoleEnv(t)
			s := e.sessionFor(e.admin)

			// Nothing to publish yet: the page says so, publishing is refused.
			if got := apiJSON[versionPage](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "versions/draft", bearer: e.admin.token}, http.StatusOK)); !got.Changes.Empty {
				t.Fatalf("fresh draft has changes: %+v", got.Changes)
			}
			rec := e.mustDo(request{method: "POST", path: adminPrefix + "versions/publish", as: s, form: url.Values{"summary": {"没有改动"}}}, http.StatusBadRequest)
			if !strings.Contains(rec.Body.String(), "草稿与当前线上版本完全相同，没有需要发布的改动") {
				t.Errorf("unchanged publish page:\n%s", clip(rec.Body.String()))
			}

			tt.change(t, e, s)
			got := apiJSON[versionPage](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "versions/draft", bearer: e.staff.token}, http.StatusOK))
			if got.Version != nil || got.Changes.BaseVersion != 1 || got.Changes.Counts != tt.counts {
				t.Fatalf("draft changes: base %d, counts %+v; want base 1, %+v", got.Changes.BaseVersion, got.Changes.Counts, tt.counts)
			}
			tt.check(t, e, got.Changes)
			page := e.mustDo(request{method: "GET", path: adminPrefix + "versions/draft", as: s}, http.StatusOK).Body.String()
			for _, want := range append(tt.page, "与当前线上的版本 1 相比", `action="/admin/versions/publish"`) {
				if !strings.Contains(page, want) {
					t.Errorf("draft changes page lacks %q", want)
				}
			}
			list := e.mustDo(request{method: "GET", path: adminPrefix + "versions", as: s}, http.StatusOK).Body.String()
			if !strings.Contains(list, tt.page[0]) || !strings.Contains(list, `href="/admin/versions/draft"`) {
				t.Errorf("versions page lacks the draft's counts %q", tt.page[0])
			}

			// Published, the version shows the same change against version 1.
			e.mustDo(request{method: "POST", path: adminPrefix + "versions/publish", as: s, form: url.Values{"summary": {"发布改动"}}}, http.StatusSeeOther)
			v := apiJSON[versionPage](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "versions/2", bearer: e.admin.token}, http.StatusOK))
			if v.Version == nil || v.Version.ID != 2 || v.Changes.BaseVersion != 1 || v.Changes.Counts != tt.counts {
				t.Errorf("version 2: %+v, changes base %d counts %+v", v.Version, v.Changes.BaseVersion, v.Changes.Counts)
			}
			vpage := e.mustDo(request{method: "GET", path: adminPrefix + "versions/2", as: s}, http.StatusOK).Body.String()
			if !strings.Contains(vpage, "与此前线上的版本 1 相比") || !strings.Contains(vpage, tt.page[0]) {
				t.Errorf("version 2 page lacks its comparison:\n%s", clip(vpage))
			}

			// Again without a change: refused, no version made.
			rec = e.mustDo(request{method: "POST", path: adminAPIPrefix + "versions/publish", bearer: e.admin.token,
				json: versionSummary{Summary: "再发一次"}}, http.StatusBadRequest)
			if msg := apiJSON[errorBody](t, rec).Error; !strings.Contains(msg, "没有需要发布的改动") {
				t.Errorf("unchanged publish: %q", msg)
			}
			if e.liveVersion() != 2 {
				t.Errorf("live version %d, want 2", e.liveVersion())
			}
		})
	}

	t.Run("version 1 against nothing, missing versions", func(t *testing.T) {
		t.Parallel()
		e := newConsoleEnv(t)
		v := apiJSON[versionPage](t, e.mustDo(request{method: "GET", path: adminAPIPrefix + "versions/1", bearer: e.staff.token}, http.StatusOK))
		if v.Changes.BaseVersion != 0 || v.Changes.Counts.ReportsAdded != 1 {
			t.Errorf("version 1 changes: %+v", v.Changes)
		}
		e.mustDo(request{method: "GET", path: adminPrefix + "versions/99", as: e.sessionFor(e.staff)}, http.StatusNotFound)
		e.mustDo(request{method: "GET", path: adminAPIPrefix + "versions/x", bearer: e.staff.token}, http.StatusNotFound)
	})
}
