package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// browserTimeout bounds the whole browser session of TestConsoleInBrowser.
const browserTimeout = 90 * time.Second

// chromiumPath returns the Chromium to drive: $CHROMIUM, else Debian's
// /usr/bin/chromium. Without one the test is skipped (failed with CI=true).
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		requireOrSkipCI(t, fmt.Sprintf("no Chromium at %s (set $CHROMIUM): %v", path, err))
	}
	return path
}

// chromeTab is one headless Chromium tab driven through chromedp, with the
// console's confirm() dialogs accepted and a screenshot folder.
type chromeTab struct {
	t     *testing.T
	ctx   context.Context
	base  string // the console's instance, http://127.0.0.1:port
	shots string // the folder screenshots go to
	n     int    // screenshots taken

	mu      sync.Mutex
	dialogs []string // the messages of the dialogs accepted so far
}

// newChromeTab starts headless Chromium with a profile of its own; it is
// stopped at cleanup.
func newChromeTab(t *testing.T, execPath, base, shots string) *chromeTab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless, no-first-run, disable-sync, disable-background-networking, …
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	timeout, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeout, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelTimeout()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", execPath, err)
	}
	b := &chromeTab{t: t, ctx: ctx, base: base, shots: shots}
	// The console asks confirm() before publishing and approving; a
	// person clicks OK.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				return
			}
		}
	}()
	return b
}

// open loads the console page at path (or a full URL) and checks it
// answered 200.
func (b *chromeTab) open(path string) {
	b.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.base + path
	}
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(target))
	if err != nil {
		b.t.Fatalf("opening %s: %v", target, err)
	}
	if resp.Status != http.StatusOK {
		b.t.Fatalf("opening %s: status %d", target, resp.Status)
	}
}

// fill types value into the field sel, as a person would.
func (b *chromeTab) fill(sel, value string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		b.t.Fatalf("typing into %s: %v", sel, err)
	}
}

// click clicks the button sel, waits for the page that follows and checks
// it answered 200. It returns the new page's path and query.
func (b *chromeTab) click(sel string) string {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("clicking %s: %v", sel, err)
	}
	if resp == nil || resp.Status != http.StatusOK {
		b.t.Fatalf("clicking %s: response %+v", sel, resp)
	}
	u, err := url.Parse(resp.URL)
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// text returns the visible text of the first element sel.
func (b *chromeTab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// evalIn evaluates a JavaScript expression in the page.
func evalIn[T any](b *chromeTab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// wantText fails unless the text of sel contains every one of want.
func (b *chromeTab) wantText(sel string, want ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s shows %q, want it to contain %q", sel, got, w)
		}
	}
}

// screenshot saves the whole page, or with viewport only what the window
// shows, as NN-name.png in the screenshot folder.
func (b *chromeTab) screenshot(name string, viewport bool) {
	b.t.Helper()
	shot := chromedp.FullScreenshot(100)
	if viewport {
		shot = chromedp.CaptureScreenshot()
	}
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.n++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

// TestConsoleInBrowser walks the staff console in headless Chromium the way
// the product issue says it must work: the first admin from the setup link,
// a staff account, a report upload with its preview, saving to the draft,
// submitting for approval, the admin's approval, the hit test, and the
// citizens' API answering from the new version. A screenshot after each
// step goes to t.ArtifactDir(): kept under -outputdir with
// "go test -artifacts", else removed with the test.
func TestConsoleInBrowser(t *testing.T) {
	execPath := chromiumPath(t)
	tag := uniqueTag()
	apiToken := "browser-" + tag
	admin, staff := "站长"+tag[:4], "小王"+tag[:4]
	const adminPassword, staffPassword = "admin-password-1", "staff-password-1"

	srv := startInstance(t, "serve", mapEnv(map[string]string{
		"FAZHIBOT_DATABASE_URL":       "sqlite:" + filepath.Join(t.TempDir(), "fazhibot.db"),
		"FAZHIBOT_KNOWLEDGE_DICT_DIR": "../../configs/jieba",
		"FAZHIBOT_SERVER_LISTEN":      "127.0.0.1:0",
		"FAZHIBOT_ADMIN_APPROVAL":     "required",
		"FAZHIBOT_API_TOKENS":         apiToken,
	}))
	setup := srv.setupLink(t)
	report := copyReport(t, sfjReport)
	shots := t.ArtifactDir()
	t.Logf("screenshots go to %s", shots)
	b := newChromeTab(t, execPath, srv.base, shots)

	login := func(name, password string) {
		b.open("/admin/login")
		b.fill(`form[action="/admin/login"] input[name="name"]`, name)
		b.fill(`form[action="/admin/login"] input[name="password"]`, password)
		if got := b.click(`form[action="/admin/login"] button[type="submit"]`); got != "/admin/" {
			t.Fatalf("after logging in as %s the browser is at %s, want the home page", name, got)
		}
		b.wantText("main h1", "首页")
		b.wantText("header .who", name)
	}
	logout := func() {
		if got := b.click(`form[action="/admin/logout"] button`); got != "/admin/login?ok=logout" {
			t.Fatalf("after logging out the browser is at %s", got)
		}
		b.wantText("main", "您已退出登录。")
	}

	steps := []browserStep{
		{"setup-link", func() {
			b.open(setup)
			b.wantText("main h1", "创建管理员账号")
		}},
		{"admin-created", func() {
			b.fill(`input[name="name"]`, admin)
			b.fill(`input[name="password"]`, adminPassword)
			b.fill(`input[name="password2"]`, adminPassword)
			if got := b.click(`form[action="/admin/setup"] button[type="submit"]`); got != "/admin/?ok=welcome" {
				t.Fatalf("after setup the browser is at %s", got)
			}
			b.wantText("p.notice.ok", "管理员账号已创建，欢迎使用。")
			b.wantText("header .who", admin, "管理员")
		}},
		{"staff-created", func() {
			b.open("/admin/users")
			b.fill(`form[action="/admin/users"] input[name="name"]`, staff)
			if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(`form[action="/admin/users"] select[name="role"]`), "staff")); err != nil {
				t.Fatal(err)
			}
			b.fill(`form[action="/admin/users"] input[name="password"]`, staffPassword)
			if got := b.click(`form[action="/admin/users"] button[type="submit"]`); got != "/admin/users?ok=created" {
				t.Fatalf("after creating the account the browser is at %s", got)
			}
			b.wantText("p.notice.ok", "已创建。")
			row := evalIn[string](b, `[...document.querySelectorAll("tr")].map(r => r.innerText).find(t => t.includes(`+jsString(staff)+`)) || ""`)
			if !strings.Contains(row, "工作人员") || !strings.Contains(row, "正常") {
				t.Errorf("the accounts table shows %q for %s, want an active staff account", row, staff)
			}
		}},
		{"admin-logged-out", logout},
		{"staff-logged-in", func() {
			login(staff, staffPassword)
			b.wantText("header .who", "工作人员")
		}},
		{"upload-preview", func() {
			b.open("/admin/reports")
			if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.CSS(`input[type="file"][name="files"]`), []string{report})); err != nil {
				t.Fatal(err)
			}
			if got := b.click(`form[action="/admin/uploads"] button[type="submit"]`); !strings.HasPrefix(got, "/admin/uploads/") {
				t.Fatalf("after uploading the browser is at %s, want the preview", got)
			}
			b.wantText("main", "共 1 个文件，其中 1 个解析成功")
			b.wantText("li.file-ok", "jj-sfj-2021.txt", "江津区司法局，2021 年度")
		}},
		{"preview-passage", func() {
			// Unfold the section tree, find the passage with the figure and
			// bring it (outlined) into view for the screenshot.
			if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("details.card > summary"))); err != nil {
				t.Fatal(err)
			}
			passage := evalIn[string](b, `(() => {
				const p = [...document.querySelectorAll("details.card .passage")].find(p => p.innerText.includes("`+sfjFigure+`"));
				if (!p) return "";
				p.style.outline = "3px solid #d93025";
				p.scrollIntoView({block: "center"});
				return p.closest("li").querySelector(".heading").innerText + "\n" + p.innerText;
			})()`)
			for _, want := range []string{"2.办案质效提升", "全年共收到行政复议申请186件", "关键词", "行政复议"} {
				if !strings.Contains(passage, want) {
					t.Errorf("the preview's passage with %s reads %q, want it to contain %q", sfjFigure, passage, want)
				}
			}
		}},
		{"saved-to-draft", func() {
			if got := b.click(`form[action^="/admin/uploads/"] button[type="submit"]`); got != "/admin/reports?ok=imported" {
				t.Fatalf("after saving the browser is at %s", got)
			}
			b.wantText("p.notice.ok", "报告已保存到草稿。")
			b.wantText("main table", "jj-sfj-2021", "江津区司法局", staff)
		}},
		{"submitted", func() {
			b.open("/admin/versions")
			if n := evalIn[int](b, `document.querySelectorAll('form[action="/admin/versions/publish"]').length`); n != 0 {
				t.Error("staff see the publish form although approval is required")
			}
			b.fill(`form[action="/admin/versions/submit"] input[name="summary"]`, "导入司法局2021年度报告")
			if got := b.click(`form[action="/admin/versions/submit"] button[type="submit"]`); got != "/admin/versions?ok=submitted" {
				t.Fatalf("after submitting the browser is at %s", got)
			}
			b.wantText("p.notice.ok", "已提交审核，管理员批准后上线。")
			b.wantText("main table tbody tr:first-child", "2", "待审核", staff, "导入司法局2021年度报告")
			// Submitted is not live: citizens still get version 1.
			if got := mustAsk(t, srv.base, apiToken, "browser-"+tag, sfjQuestion); got.Answered || !strings.Contains(got.Reply, sfjNotCovered) {
				t.Errorf("a pending version answers citizens: %+v", got)
			}
		}},
		{"staff-logged-out", logout},
		{"admin-logged-in", func() { login(admin, adminPassword) }},
		{"approved", func() {
			b.open("/admin/versions")
			action := evalIn[string](b, `(document.querySelector('form[action$="/approve"]') || {}).getAttribute?.("action") || ""`)
			if action != "/admin/versions/2/approve" {
				t.Fatalf("approve form action %q, want version 2's", action)
			}
			if got := b.click(`form[action="/admin/versions/2/approve"] button[type="submit"]`); got != "/admin/versions?ok=approved" {
				t.Fatalf("after approving the browser is at %s", got)
			}
			b.mu.Lock()
			dialogs := strings.Join(b.dialogs, "\n")
			b.mu.Unlock()
			if !strings.Contains(dialogs, "批准后版本 2 立即上线") {
				t.Errorf("the approval asked %q, want the confirmation for version 2", dialogs)
			}
			b.wantText("p.notice.ok", "已批准，该版本已上线。")
			b.wantText("tr.live", "2", "已发布", "当前线上", admin)
		}},
		{"hit-test", func() {
			b.open("/admin/hittest")
			b.fill(`form[action="/admin/hittest"] input[name="q"]`, sfjQuestion)
			if got := b.click(`form[action="/admin/hittest"] button[type="submit"]`); !strings.HasPrefix(got, "/admin/hittest?q=") {
				t.Fatalf("after the hit test the browser is at %s", got)
			}
			b.wantText("pre.reply", sfjFigure, "江津区司法局")
			b.wantText("main table tbody tr:first-child", "重庆市江津区司法局2021年度法治政府建设情况报告", "2.办案质效提升", "✓")
		}},
	}
	steps = append(steps, reviewSteps(t, b, srv.base, apiToken, tag)...)
	for _, st := range steps {
		st.do()
		b.screenshot(st.name, st.name == "preview-passage")
		if t.Failed() {
			t.Fatalf("step %s failed; see the screenshot", st.name)
		}
	}

	// The citizens' side: the live API answers from the approved version.
	got := mustAsk(t, srv.base, apiToken, "browser-"+tag, sfjQuestion)
	if !got.Answered || !strings.Contains(got.Reply, sfjFigure) || len(got.Hits) == 0 || got.Hits[0].ReportID != "jj-sfj-2021" {
		t.Errorf("POST /api/v1/ask %q = %+v, want the passage with %s", sfjQuestion, got, sfjFigure)
	}
	if v := metricValue(t, srv.base, "fazhibot_knowledge_version"); v != "3" {
		t.Errorf("fazhibot_knowledge_version = %q, want 3 (the reviewed passage edit)", v)
	}
	narrowPages(t, b)
}

// browserStep is one step of a walk through the console, followed by a
// screenshot named after it.
type browserStep struct {
	name string
	do   func()
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "`" + strings.NewReplacer("`", "\\`", `\`, `\\`, "$", `\$`).Replace(s) + "`"
}
