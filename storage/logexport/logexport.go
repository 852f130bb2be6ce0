// Package logexport says how a query-log record reads for staff: the
// Chinese labels of its stored codes, and the CSV export that the console
// and the command line both offer (UTF-8 with a byte-order mark so Excel
// reads it, Chinese headers, CRLF line ends, and cells a spreadsheet would
// take for a formula neutralised against CSV injection).
//
// Everything here is a pure function of its arguments and safe for
// concurrent use.
package logexport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fazhibot/console"
)

// The labels staff see for the stored codes are switches, not maps: no
// table is built per call (the CSV export labels every row) and there is
// no package-level state. A code without a label reads as itself.

// ChannelCodes returns the stored channel codes in the order staff see
// them offered, each with a label from Channel.
func ChannelCodes() []string { return []string{"wechat", "api", "cli", "eval"} }

// Channel returns the label of a stored channel code.
func Channel(code string) string {
	switch code {
	case "wechat":
		return "微信"
	case "api":
		return "接口"
	case "cli":
		return "命令行"
	case "eval":
		return "评测"
	}
	return code
}

// Kind returns the label of a stored message kind.
func Kind(code string) string {
	switch code {
	case "text":
		return "文字"
	case "voice":
		return "语音"
	case "click":
		return "菜单"
	case "subscribe":
		return "关注"
	case "unsubscribe":
		return "取消关注"
	case "unsupported":
		return "其他"
	}
	return code
}

// FollowUp returns the label of a stored follow-up code.
func FollowUp(code string) string {
	switch code {
	case "new":
		return "新问题"
	case "refine":
		return "换年度或部门"
	case "context":
		return "结合上文"
	case "filters":
		return "同部门新问题"
	}
	return code
}

// Reason returns the label of a stored reason for not answering.
func Reason(code string) string {
	switch code {
	case "no_terms":
		return "无可检索词"
	case "low_confidence":
		return "匹配度低"
	case "dept_not_covered":
		return "部门未收录"
	case "year_not_covered":
		return "年度未收录"
	case "action_request":
		return "办事请求"
	case "official":
		return "询问领导个人信息"
	}
	return code
}

// Feedback returns the label of a stored verdict.
func Feedback(code string) string {
	switch code {
	case "satisfied":
		return "满意"
	case "unsatisfied":
		return "不满意"
	}
	return code
}

// Intent returns the label of a stored intent.
func Intent(code string) string {
	switch code {
	case "answer":
		return "回答"
	case "not_covered":
		return "未收录"
	case "clarify":
		return "澄清"
	case "detail":
		return "详情"
	case "more":
		return "更多"
	case "choice":
		return "选择"
	case "help":
		return "帮助"
	case "reset":
		return "重置"
	case "greeting":
		return "问候"
	case "thanks":
		return "致谢"
	case "goodbye":
		return "告别"
	case "identity":
		return "身份"
	case "feedback":
		return "评价"
	case "subscribe":
		return "关注"
	case "unsubscribe":
		return "取消关注"
	case "hot":
		return "热门问题"
	case "reports":
		return "报告列表"
	case "empty":
		return "空消息"
	case "unsupported":
		return "不支持"
	case "sensitive":
		return "敏感词"
	case "rate_limited":
		return "限流"
	case "busy":
		return "繁忙"
	}
	return code
}

// Outcome says what became of a message: 已回答, 未回答（reason or
// intent） for an unanswered question, else the intent's label.
func Outcome(r console.LogRecord) string {
	switch {
	case r.Answered:
		return "已回答"
	case r.Question && r.Reason != "":
		return "未回答（" + Reason(string(r.Reason)) + "）"
	case r.Question:
		return "未回答（" + Intent(r.Intent) + "）"
	}
	return Intent(r.Intent)
}

// Verdict is the label of a record's feedback, or "-" without one.
func Verdict(f console.Feedback) string {
	if f == console.FeedbackNone {
		return "-"
	}
	return Feedback(string(f))
}

// Time shows a record's time to the second in the log's time zone.
func Time(t time.Time) string { return t.In(console.LogZone()).Format("2006-01-02 15:04:05") }

// YesNo is 是 or 否.
func YesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// BOM lets Excel recognise a CSV file as UTF-8.
const BOM = "\ufeff"

// Header returns the first row of an export: the columns of Row.
func Header() []string {
	return []string{"编号", "时间", "渠道", "用户化名", "OpenID", "消息类型", "消息内容", "意图", "追问方式",
		"是否提问", "分词", "上下文词", "年度", "部门", "是否回答", "未回答原因", "命中段落(报告#段落:得分)", "回复内容",
		"耗时(毫秒)", "收到的评价", "评价时间", "交互编号", "本条给出的评价", "所评价的交互", "存储错误"}
}

// Row returns the cells of r, not yet neutralised.
func Row(r console.LogRecord) []string {
	var hits []string
	for _, h := range r.Hits {
		hits = append(hits, fmt.Sprintf("%s#%d:%.3f", h.Report, h.Seq, h.Score))
	}
	year := ""
	if r.Year != 0 {
		year = strconv.Itoa(r.Year)
	}
	feedbackAt := ""
	if !r.FeedbackAt.IsZero() {
		feedbackAt = Time(r.FeedbackAt)
	}
	return []string{
		strconv.FormatInt(int64(r.ID), 10), Time(r.Time), Channel(r.Channel), r.User, r.OpenID,
		Kind(r.Kind), r.Text, Intent(r.Intent), FollowUp(r.FollowUp),
		YesNo(r.Question), strings.Join(r.Terms, " "), strings.Join(r.Context, " "), year, r.Department,
		YesNo(r.Answered), Reason(string(r.Reason)), strings.Join(hits, ";"), r.Reply,
		strconv.FormatInt(r.Latency.Milliseconds(), 10), Feedback(string(r.Feedback)), feedbackAt,
		r.Exchange, Feedback(string(r.Gives)), r.RefersTo, r.StoreError,
	}
}

// Neutralize defuses a cell that a spreadsheet would read as a formula (=,
// +, -, @, and the tab and carriage return some spreadsheets skip before
// one) by prefixing a single quote.
func Neutralize(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// WriteCSV writes the BOM, the header and every record each yields to w,
// neutralised, and returns how many records it wrote. each calls its
// argument once per record, in order, and stops at its first error (as
// (*sqldb.DB).EachLog does); keep decides per record whether it is
// written (nil keeps all).
func WriteCSV(w io.Writer, each func(func(console.LogRecord) error) error, keep func(console.LogRecord) bool) (int, error) {
	if _, err := io.WriteString(w, BOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Header()); err != nil {
		return 0, err
	}
	n := 0
	err := each(func(r console.LogRecord) error {
		if keep != nil && !keep(r) {
			return nil
		}
		row := Row(r)
		for i, cell := range row {
			row[i] = Neutralize(cell)
		}
		n++
		return cw.Write(row)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
