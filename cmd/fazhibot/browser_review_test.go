package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// reviewedNote is what the admin appends to the passage with sfjFigure.
const reviewedNote = "（经复核无误）"

// reviewSteps continue TestConsoleInBrowser as the admin, after version 2
// went live: a passage edit whose diff shows exactly that change, before
// submitting and again on the pending version, which the admin approves;
// then an FAQ entry linked through the passage picker.
func reviewSteps(t *testing.T, b *chromeTab, base, apiToken, tag string) []browserStep {
	passagePath := ""
	// diffShowsOnlyTheEdit checks that the page's diff is the one passage
	// edit: one changed passage, the note inserted, nothing deleted.
	diffShowsOnlyTheEdit := func() {
		t.Helper()
		b.wantText("ul.counts", "修改段落 1")
		counts := evalIn[int](b, `document.querySelectorAll("ul.counts li").length`)
		changed := evalIn[int](b, `document.querySelectorAll(".passage").length`)
		ins := evalIn[[]string](b, `[...document.querySelectorAll(".ptext.diff ins")].map(e => e.textContent)`)
		del := evalIn[int](b, `document.querySelectorAll(".ptext.diff del").length`)
		if counts != 2 || changed != 1 || len(ins) != 1 || ins[0] != reviewedNote || del != 0 {
			t.Errorf("the diff shows %d counts, %d passages, inserted %q and %d deletions; want 修改报告 and 修改段落, one passage, %q inserted, nothing deleted",
				counts, changed, ins, del, reviewedNote)
		}
		b.wantText(".passage", sfjFigure, "第 ")
	}
	return []browserStep{
		{"passage-edited", func() {
			b.open("/admin/reports/jj-sfj-2021")
			seq := evalIn[string](b, `([...document.querySelectorAll(".passage")].find(p => p.innerText.includes("`+sfjFigure+`")) || {id: ""}).id.slice(1)`)
			if seq == "" {
				t.Fatalf("the report page has no passage with %s", sfjFigure)
			}
			passagePath = "/admin/reports/jj-sfj-2021/passages/" + seq
			b.open(passagePath)
			// The caret goes to the end of the text, where the note is typed.
			evalIn[bool](b, `(() => { const t = document.querySelector("textarea[name=text]"); t.focus(); t.setSelectionRange(t.value.length, t.value.length); return true; })()`)
			b.fill(`textarea[name="text"]`, reviewedNote)
			if got := b.click(`form[action="` + passagePath + `"] button[type="submit"]`); !strings.HasPrefix(got, "/admin/reports/jj-sfj-2021?ok=saved") {
				t.Fatalf("after saving the passage the browser is at %s", got)
			}
		}},
		{"draft-diff", func() {
			b.open("/admin/versions")
			b.wantText("ul.counts", "修改段落 1")
			if got := b.click(`a[href="/admin/versions/draft"]`); got != "/admin/versions/draft" {
				t.Fatalf("the draft's changes are at %s", got)
			}
			b.wantText("main", "与当前线上的版本 2 相比")
			diffShowsOnlyTheEdit()
			b.fill(`form[action="/admin/versions/submit"] input[name="summary"]`, "司法局报告：注明已复核")
			if got := b.click(`form[action="/admin/versions/submit"] button[type="submit"]`); got != "/admin/versions?ok=submitted" {
				t.Fatalf("after submitting the browser is at %s", got)
			}
		}},
		{"pending-diff-approved", func() {
			if got := b.click(`a[href="/admin/versions/3"]`); got != "/admin/versions/3" {
				t.Fatalf("the pending version is at %s", got)
			}
			b.wantText("main", "待审核", "批准后市民将看到的改动")
			diffShowsOnlyTheEdit()
			if got := b.click(`form[action="/admin/versions/3/approve"] button[type="submit"]`); got != "/admin/versions?ok=approved" {
				t.Fatalf("after approving the browser is at %s", got)
			}
			b.wantText("tr.live", "3", "当前线上")
			b.open(passagePath)
			if text := evalIn[string](b, `document.querySelector("textarea[name=text]").value`); !strings.HasSuffix(text, reviewedNote) {
				t.Errorf("the passage reads %q after approval", text)
			}
		}},
		{"faq-picker", func() {
			b.open("/admin/faq/new")
			b.fill(`textarea[name="questions"]`, "司法局去年收到多少行政复议申请")
			b.fill(`textarea[name="answer"]`, "2021年，区司法局共收到行政复议申请186件。")
			b.fill(`input[name="passage_q"]`, "行政复议申请")
			if got := b.click(`button[name="pick"]`); got != "/admin/faq/new" {
				t.Fatalf("after searching the browser is at %s", got)
			}
			// The search kept what was typed; choose the passage with the figure.
			if q := evalIn[string](b, `document.querySelector("textarea[name=questions]").value`); q != "司法局去年收到多少行政复议申请" {
				t.Errorf("the search lost the question: %q", q)
			}
			value := evalIn[string](b, `(() => {
				const c = [...document.querySelectorAll("label.choice")].find(l => l.innerText.includes("`+sfjFigure+`"));
				if (!c) return "";
				const r = c.querySelector("input[type=radio]");
				r.click();
				return r.value;
			})()`)
			if !strings.HasPrefix(value, "jj-sfj-2021/") {
				t.Fatalf("the picker offers no passage with %s (chose %q)", sfjFigure, value)
			}
			if got := b.click(`form[action="/admin/faq/new"] button[type="submit"]:not([name])`); got != "/admin/faq?ok=created" {
				t.Fatalf("after saving the FAQ the browser is at %s", got)
			}
			href := evalIn[string](b, `([...document.querySelectorAll("a")].find(a => a.textContent.includes("司法局去年收到多少行政复议申请")) || {}).getAttribute?.("href") || ""`)
			if href == "" {
				t.Fatal("the FAQ list lacks the new entry")
			}
			b.open(href)
			b.wantText("#passage-picker", "当前：", "重庆市江津区司法局2021年度法治政府建设情况报告", "第 "+strings.TrimPrefix(value, "jj-sfj-2021/")+" 段")
		}},
	}
}

// narrowPages opens every console page at a phone's width (390 px) and
// fails for each page wider than the window: nothing may need sideways
// scrolling of the whole page.
func narrowPages(t *testing.T, b *chromeTab) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Emulate(device.IPhone12Pro)); err != nil { // 390×844
		t.Fatal(err)
	}
	defer func() { _ = chromedp.Do(b.ctx, chromedp.EmulateReset()) }()
	for _, path := range []string{
		"/admin/", "/admin/reports", "/admin/reports/jj-sfj-2021", "/admin/faq", "/admin/faq/new",
		"/admin/terms", "/admin/hittest?q=" + "行政复议", "/admin/regression", "/admin/versions", "/admin/versions/draft",
		"/admin/versions/3", "/admin/users", "/admin/audit", "/admin/logs", "/admin/logs/list", "/admin/logs/unanswered",
		"/admin/search?q=" + "行政复议",
	} {
		b.open(path)
		// A page wider than the phone also widens the window (the browser
		// zooms out to fit it), so both must stay at the phone's width.
		const phone = 390
		widths := evalIn[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
		if path == "/admin/versions/draft" {
			b.screenshot("narrow-versions-draft", true)
		}
		if path == "/admin/logs" {
			// The charts' labels as drawn: the font size times the SVG's scale.
			// The charts' labels as drawn: the font size times the SVG's
			// scale (turned labels included).
			sizes := evalIn[[]float64](b, `[...document.querySelectorAll("figure.chart text")].map(t => {
				const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) })`)
			if len(sizes) == 0 || slices.Min(sizes) < 10 {
				b.screenshot("narrow-chart-labels", true)
				t.Errorf("chart labels are %v px on a %d px phone, want at least 10", sizes, phone)
			}
		}
		if widths[0] > phone || widths[1] > phone {
			name := strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(strings.Trim(path, "/"))
			b.screenshot("narrow-"+name, false)
			t.Errorf("%s on a %d px phone: page %d px, window %d px wide", path, phone, widths[0], widths[1])
		}
	}
}
