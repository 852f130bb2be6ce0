package handlers

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"fazhibot/console"
	"fazhibot/knowledge"
)

// templateFS holds the console's pages: layout.html wraps every other
// file, each of which defines "content"; partials.html holds the parts
// several pages share.
//
//go:embed templates/*.html
var templateFS embed.FS

// staticFS holds the console's stylesheet and script.
//
//go:embed static
var staticFS embed.FS

// pageTemplates maps a page file name to its template (the layout with
// that page's "content").
type pageTemplates map[string]*template.Template

// parsePages parses every page with the layout.
func parsePages() (pageTemplates, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := pageTemplates{}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(templateFuncs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", name)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// displayZone is the time zone times are shown in: Chongqing's.
func displayZone() *time.Location { return time.FixedZone("CST", 8*3600) }

// showTime formats t for staff, "" for the zero time.
func showTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(displayZone()).Format("2006-01-02 15:04")
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"time": showTime,
		"timep": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return showTime(*t)
		},
		"pct":        func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
		"num":        func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"join":       strings.Join,
		"pathEsc":    url.PathEscape,
		"add":        func(a, b int) int { return a + b },
		"statusText": statusText,
		"roleText":   roleText,
		"actionText": actionText,
		"kindText":   evalKindText,
		"actorText":  actorText,
		"savedText":  savedText,
		"termLabel":  func(name string) string { return termInfo(name).Label },
		"lines":      func(s []string) string { return strings.Join(s, "\n") },
		"hasReport": func(list []console.ReportSummary, id string) bool {
			for _, r := range list {
				if string(r.ID) == id {
					return true
				}
			}
			return false
		},
		"tokensOf": func(tokens []tokenView, csrf string) tokenList { return tokenList{Tokens: tokens, CSRF: csrf} },
		"treeOf": func(id string, nodes []*sectionNode, edit bool) treeView {
			return treeView{Nodes: nodes, ReportID: id, Edit: edit}
		},
	}
}

// tokenList is what the "tokens" template renders.
type tokenList struct {
	Tokens []tokenView
	CSRF   string
}

// treeView is what the "tree" template renders: section nodes of a
// report, with edit links when Edit is set.
type treeView struct {
	Nodes    []*sectionNode
	ReportID string
	Edit     bool
}

// Sub returns the view of child nodes.
func (t treeView) Sub(nodes []*sectionNode) treeView {
	t.Nodes = nodes
	return t
}

// One returns the view of one subsection.
func (t treeView) One(n *sectionNode) treeView {
	t.Nodes = []*sectionNode{n}
	return t
}

// pageData is what layout.html renders; Data is the page's own.
type pageData struct {
	Title    string
	Nav      string // the active nav item's key
	User     *console.User
	Admin    bool
	CSRF     string // the session's CSRF token (or the log-in form's)
	Approval string
	Flash    string // a success notice
	Warning  string // a notice that something needs attention
	Error    string // why the request failed
	Search   string // the text in the search box
	Notify   bool   // later answers to citizens are configured
	Data     any
}

// NavItems are the nav entries the page's account may use.
func (p *pageData) NavItems() []navItem {
	var items []navItem
	for _, it := range navItems() {
		if (!it.AdminOnly || p.Admin) && (!it.NeedsNotify || p.Notify) {
			items = append(items, it)
		}
	}
	return items
}

// navItem is one entry of the console's navigation.
type navItem struct {
	Key, Label, Href string
	AdminOnly        bool
	NeedsNotify      bool // shown only when later answers are configured
}

func navItems() []navItem {
	return []navItem{
		{Key: "home", Label: "首页", Href: adminHome},
		{Key: "reports", Label: "报告", Href: adminPrefix + "reports"},
		{Key: "faq", Label: "FAQ", Href: adminPrefix + "faq"},
		{Key: "terms", Label: "词表", Href: adminPrefix + "terms"},
		{Key: "hittest", Label: "命中测试", Href: adminPrefix + "hittest"},
		{Key: "regression", Label: "回归测试", Href: adminPrefix + "regression"},
		{Key: "versions", Label: "版本", Href: adminPrefix + "versions"},
		{Key: "notify", Label: "通知市民", Href: adminPrefix + "notify", NeedsNotify: true}, // staff and admins
		{Key: "users", Label: "用户与令牌", Href: adminPrefix + "users"},
		{Key: "audit", Label: "审计日志", Href: adminPrefix + "audit", AdminOnly: true},
		{Key: "logs", Label: "日志", Href: adminPrefix + "logs", AdminOnly: true},
	}
}

// newPage starts the page data of a logged-in page; a success notice named
// by the ok query parameter is shown.
func (s *Server) newPage(r *http.Request, a *actor, nav, title string) *pageData {
	u := a.user
	return &pageData{
		Title:    title,
		Nav:      nav,
		User:     &u,
		Admin:    a.admin(),
		CSRF:     a.csrf,
		Approval: s.admin.approval,
		Notify:   s.admin.notify != nil,
		Flash:    flashText(r.URL.Query().Get("ok")),
	}
}

// flashText is the notice for a redirect's ok code; only fixed texts, so
// that a link cannot put words in the console's mouth.
func flashText(code string) string {
	return map[string]string{
		"welcome":   "管理员账号已创建，欢迎使用。",
		"saved":     "已保存。",
		"deleted":   "已删除。",
		"imported":  "报告已保存到草稿。",
		"discarded": "已放弃本次上传，预览已清除。",
		"published": "已发布，市民现在看到的是新版本。",
		"submitted": "已提交审核，管理员批准后上线。",
		"approved":  "已批准，该版本已上线。",
		"rejected":  "已驳回。",
		"restored":  "已恢复，该版本内容已重新上线，草稿也已恢复为该内容。",
		"reload":    "版本已上线，但本服务重新加载知识库失败，将在定期检查时自动重试。",
		"created":   "已创建。",
		"password":  "密码已修改，该账号在其他地方的登录已全部退出。",
		"revoked":   "令牌已吊销。",
		"token":     "令牌已创建。",
		"dismissed": "已忽略这组问题，它们不会再出现在未回答队列中。",
		"role":      "角色已修改。",
		"disabled":  "账号已停用，其登录和 API 令牌已全部失效。",
		"enabled":   "账号已启用；需要重新登录，原有的 API 令牌不会恢复。",
	}[code]
}

// redirectOK sends the browser to target with a success notice (Post,
// Redirect, Get).
func redirectOK(w http.ResponseWriter, r *http.Request, target, code string) error {
	http.Redirect(w, r, withOK(target, code), http.StatusSeeOther)
	return nil
}

// withOK adds the notice code to target's query, before any fragment, so
// that the browser both shows the notice and scrolls to the fragment.
func withOK(target, code string) string {
	path, frag, hasFrag := strings.Cut(target, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	out := path + sep + "ok=" + url.QueryEscape(code)
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// renderPage renders page name with data p and status.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) {
	t, ok := s.admin.pages[name]
	var buf bytes.Buffer
	if !ok {
		s.log.Error("no such page template", "page", name)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("rendering a page failed", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	if h.Get("Referrer-Policy") == "" {
		h.Set("Referrer-Policy", "same-origin")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the data of error.html.
type errorPage struct {
	Status  int
	Message string
}

// renderErrorPage answers a refused console page with msg.
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	title := "出错了"
	switch status {
	case http.StatusForbidden:
		title = "无法完成操作"
	case http.StatusNotFound:
		title = "找不到页面"
	}
	s.renderPage(w, r, status, "error.html", &pageData{Title: title, Error: msg, Data: errorPage{Status: status, Message: msg}})
}

// handleAdminNotFound answers unknown console pages.
func (s *Server) handleAdminNotFound(w http.ResponseWriter, r *http.Request) {
	s.respondError(w, r, errPageNotFound("页面不存在。", nil))
}

// staticHandler serves the console's stylesheet and script.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static") // cannot fail: the directory is embedded
	files := http.StripPrefix(adminStaticPrefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
	return nil
}

// decodeJSONBody decodes a request body holding one JSON object into v,
// refusing unknown fields. Errors are 400 and 415 *httpErrors or an
// *http.MaxBytesError (413).
func decodeJSONBody(r *http.Request, v any) error {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return errUnsupportedMediaType(fmt.Errorf("Content-Type %q", r.Header.Get("Content-Type")))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errUnsupportedMediaType(fmt.Errorf("charset %q", cs))
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errJSONBody(err) // names the unknown or mistyped field
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return err
		}
		return errInvalidRequest("请求体只能包含一个 JSON 对象", fmt.Errorf("trailing data: %v", err))
	}
	return nil
}

// termFile describes a term-list file for staff.
type termFile struct {
	Name, Label, Help string
}

// termFiles lists the term-list files in the order the console shows them.
func termFiles() []termFile {
	return []termFile{
		{knowledge.SynonymsFile, "同义词", "每行一组同义词，第一个词为规范词，如：罚款 罚钱 罚了"},
		{knowledge.ColloquialFile, "口语说法", "每行一组：标准说法在前，后面是市民的方言或口语说法（至少两个字），提问中的口语说法会先换成标准说法，如：多少 好多"},
		{knowledge.DepartmentsFile, "部门名称", "每行一个部门：全称在前，后面是简称，如：江津区生态环境局 生态环境局 环保局。没有报告的部门也写在这里。"},
		{knowledge.DictFile, "专业词", "分词时需要保持完整的词，每行一个，如：行政复议"},
		{knowledge.StopwordsFile, "停用词", "提问中不参与匹配的词，每行一个，如：多少"},
		{knowledge.SensitiveFile, "敏感词", "提问含有这些词时机器人礼貌拒答，每行一个"},
	}
}

// termInfo describes the term-list file name; Label is "" for unknown names.
func termInfo(name string) termFile {
	for _, f := range termFiles() {
		if f.Name == name {
			return f
		}
	}
	return termFile{Name: name}
}
