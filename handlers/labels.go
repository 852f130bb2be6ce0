package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fazhibot/console"
	"fazhibot/publishing"
)

// This file is the one place where the console turns the codes it stores
// into the words staff read: version statuses, roles, audit actions and
// targets, question-set kinds, the program's own actor, and the log
// filter's values. The codes of a query-log record (intent, reason,
// channel, kind, feedback) are labelled by storage/logexport, which the
// command line shares. Every function is pure and safe for concurrent use.

// statusText names a version status for staff.
func statusText(st console.VersionStatus) string {
	switch st {
	case console.StatusPending:
		return "待审核"
	case console.StatusPublished:
		return "已发布"
	case console.StatusRejected:
		return "已驳回"
	}
	return "未知状态"
}

// roleText names a role for staff.
func roleText(role console.Role) string {
	switch role {
	case console.RoleAdmin:
		return "管理员"
	case console.RoleStaff:
		return "工作人员"
	}
	return "未知角色"
}

// actionLabels maps each audit-log action to its label.
func actionLabels() map[console.Action]string {
	return map[console.Action]string{
		console.ActionReportImport:    "导入报告",
		console.ActionReportDelete:    "删除报告",
		console.ActionPassageUpdate:   "修改段落",
		console.ActionFAQSave:         "保存 FAQ",
		console.ActionFAQDelete:       "删除 FAQ",
		console.ActionTermsSave:       "修改词表",
		console.ActionTermsSeed:       "初始化词表",
		console.ActionVersionPublish:  "发布版本",
		console.ActionVersionSubmit:   "提交审核",
		console.ActionVersionApprove:  "批准版本",
		console.ActionVersionReject:   "驳回版本",
		console.ActionVersionRestore:  "恢复版本",
		console.ActionUserCreate:      "创建账号",
		console.ActionUserPassword:    "修改密码",
		console.ActionUserRole:        "修改角色",
		console.ActionUserDisable:     "停用账号",
		console.ActionUserEnable:      "启用账号",
		console.ActionTokenCreate:     "创建令牌",
		console.ActionTokenRevoke:     "吊销令牌",
		console.ActionSessionCreate:   "登录",
		console.ActionSessionDelete:   "退出登录",
		console.ActionQuestionDismiss: "忽略未回答问题",
		console.ActionNotifySend:      "通知市民",
	}
}

// actionText names an audit-log action for staff.
func actionText(a console.Action) string {
	if text, ok := actionLabels()[a]; ok {
		return text
	}
	return "其他操作"
}

// evalKindText names the kind of a question in a regression question set.
// Kinds staff invent themselves are shown as written.
func evalKindText(kind string) string {
	switch kind {
	case "fact":
		return "事实问题"
	case "multi":
		return "多轮追问"
	case "negative":
		return "应拒答的问题"
	case "chitchat":
		return "闲聊"
	case kindUnanswered:
		return "未回答的提问"
	case kindUnsatisfied:
		return "评价为不满意的提问"
	case "":
		return "未分类"
	}
	return kind
}

// actorText names who made a change; the program's own changes (the
// bundled report and term lists on first start) read as the system's.
func actorText(name string) string {
	if name == console.SeedActor {
		return "系统"
	}
	return name
}

// savedText says who last saved something and when, for the line under an
// editor's title; "" when nobody has.
func savedText(by string, at time.Time) string {
	switch {
	case by == "":
		return ""
	case by == console.SeedActor:
		return "系统首次启动时写入（" + showTime(at) + "），尚无人修改"
	}
	return "最近由 " + by + " 于 " + showTime(at) + " 保存"
}

// passageText names passage seq of the report titled title; a report no
// longer in the draft reads as deleted.
func passageText(title string, seq int) string {
	if title == "" {
		title = "已删除的报告"
	}
	return fmt.Sprintf("《%s》第 %d 段", title, seq)
}

// answerFilterError is the message for an unknown "是否回答" filter value.
const answerFilterError = "“是否回答”应为“已回答”或“未回答”"

// auditNames resolves the IDs an audit entry names to what staff know
// them by. Missing entries make the target read as deleted.
type auditNames struct {
	reports  map[string]string // report ID → title
	faqs     map[string]string // FAQ ID → first question
	users    map[int64]string  // user ID → name
	tokens   map[int64]string  // token ID → name
	versions map[int64]bool    // known version IDs
	// gone holds what deleted reports and FAQ entries were called, by
	// target ("report:<id>", "faq:<id>"), as their audit entries recorded.
	gone map[string]string
}

// auditTargetText names an audit entry's target ("report:<id>",
// "passage:<id>#<seq>", "faq:<id>", "terms:<file>", "version:<id>",
// "user:<id>", "token:<id>") in Chinese, by title or name.
func (n auditNames) targetText(target string) string {
	kind, id, ok := strings.Cut(target, ":")
	if !ok {
		return target
	}
	num, _ := strconv.ParseInt(id, 10, 64)
	switch kind {
	case "report":
		if t, ok := n.reports[id]; ok {
			return "报告《" + t + "》"
		}
		if t, ok := n.gone[target]; ok {
			return "报告《" + t + "》（已删除）"
		}
		return "报告（已删除）"
	case "passage":
		rid, seqText, _ := strings.Cut(id, "#")
		seq, _ := strconv.Atoi(seqText)
		if t, ok := n.reports[rid]; ok {
			return passageText(t, seq)
		}
		if t, ok := n.gone["report:"+rid]; ok {
			return passageText(t+"（已删除）", seq)
		}
		return passageText("", seq)
	case "faq":
		if q, ok := n.faqs[id]; ok {
			return "FAQ“" + q + "”"
		}
		if q, ok := n.gone[target]; ok {
			return "FAQ“" + q + "”（已删除）"
		}
		return "FAQ（已删除）"
	case "terms":
		if l := termInfo(id).Label; l != "" {
			return "词表“" + l + "”"
		}
		return "词表"
	case "version":
		return "版本 " + id
	case "user":
		if name, ok := n.users[num]; ok {
			return "账号“" + name + "”"
		}
		return "账号（已删除）"
	case "token":
		if name, ok := n.tokens[num]; ok {
			return "API 令牌“" + name + "”"
		}
		return "API 令牌"
	case "question":
		return "未回答问题“" + id + "”"
	}
	return target
}

// auditDetailText words an entry's detail: roles by name, a restore's
// source version by number; other details are already words.
func auditDetailText(a console.Action, detail string) string {
	switch a {
	case console.ActionUserCreate, console.ActionUserRole:
		if detail == string(console.RoleAdmin) || detail == string(console.RoleStaff) {
			return roleText(console.Role(detail))
		}
	case console.ActionQuestionDismiss:
		if n, err := strconv.Atoi(detail); err == nil {
			return fmt.Sprintf("共 %d 种问法", n)
		}
	case console.ActionVersionRestore:
		if v, ok := strings.CutPrefix(detail, "version:"); ok {
			return "恢复自版本 " + v
		}
	case console.ActionTermsSave:
		if c, ok := console.ParseTermsChange(detail); ok {
			return termsChangeText(c)
		}
		return ""
	}
	return detail
}

// termsChangeText words a term-list save's change: the lines added and
// removed, each quoted, and how many more were left out.
func termsChangeText(c console.TermsChange) string {
	part := func(verb string, lines []string, more int) string {
		if len(lines)+more == 0 {
			return ""
		}
		text := fmt.Sprintf("%s %d 行：“%s”", verb, len(lines)+more, strings.Join(lines, "”“"))
		if more > 0 {
			text += fmt.Sprintf("等（另有 %d 行未列出）", more)
		}
		return text
	}
	var parts []string
	for _, p := range []string{part("新增", c.Added, c.MoreAdded), part("删除", c.Removed, c.MoreRemoved)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "；")
}

// changeKindText names how something changed between two versions.
func changeKindText(k publishing.ChangeKind) string {
	switch k {
	case publishing.Added:
		return "新增"
	case publishing.Removed:
		return "删除"
	case publishing.Changed:
		return "修改"
	}
	return "变化"
}

// reportFieldText names a report field a version changed.
func reportFieldText(field string) string {
	switch field {
	case publishing.FieldTitle:
		return "标题"
	case publishing.FieldDepartment:
		return "部门"
	case publishing.FieldYear:
		return "年度"
	case publishing.FieldPublishDate:
		return "发布日期"
	case publishing.FieldDocNumber:
		return "文号"
	case publishing.FieldSourceURL:
		return "原文网址"
	case publishing.FieldFormat:
		return "文件格式"
	}
	return "其他信息"
}

// countTexts lists the non-zero counts of a comparison, in reading order.
func countTexts(c publishing.Counts) []countView {
	all := []countView{
		{"新增报告", c.ReportsAdded}, {"删除报告", c.ReportsRemoved}, {"修改报告", c.ReportsChanged},
		{"新增段落", c.PassagesAdded}, {"删除段落", c.PassagesRemoved}, {"修改段落", c.PassagesChanged},
		{"新增 FAQ", c.FAQsAdded}, {"删除 FAQ", c.FAQsRemoved}, {"修改 FAQ", c.FAQsChanged},
		{"词表新增行", c.TermLinesAdded}, {"词表删除行", c.TermLinesRemoved},
	}
	var out []countView
	for _, n := range all {
		if n.N > 0 {
			out = append(out, n)
		}
	}
	return out
}
