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

	"fazhibot/storage/sqldb"
)

// labels returns the labels staff see for the stored codes of one field.
// It builds the table on each call: there is no package-level state.
func labels(field string) map[string]string {
	switch field {
	case "channel":
		return map[string]string{"wechat": "微信", "api": "接口", "cli": "命令行", "eval": "评测"}
	case "kind":
		return map[string]string{"text": "文字", "voice": "语音", "click": "菜单", "subscribe": "关注", "unsubscribe": "取消关注", "unsupported": "其他"}
	case "follow_up":
		return map[string]string{"new": "新问题", "refine": "换年度或部门", "context": "结合上文", "filters": "同部门新问题"}
	case "reason":
		return map[string]string{"no_terms": "无可检索词", "low_confidence": "匹配度低", "dept_not_covered": "部门未收录",
			"year_not_covered": "年度未收录", "action_request": "办事请求", "official": "询问领导个人信息"}
	case "feedback":
		return map[string]string{"satisfied": "满意", "unsatisfied": "不满意"}
	case "intent":
		return map[string]string{"answer": "回答", "not_covered": "未收录", "clarify": "澄清", "detail": "详情",
			"more": "更多", "choice": "选择", "help": "帮助", "reset": "重置", "greeting": "问候", "thanks": "致谢",
			"goodbye": "告别", "identity": "身份", "feedback": "评价", "subscribe": "关注", "unsubscribe": "取消关注",
			"hot": "热门问题", "reports": "报告列表", "empty": "空消息", "unsupported": "不支持", "sensitive": "敏感词",
			"rate_limited": "限流", "busy": "繁忙"}
	}
	return nil
}

func label(field, code string) string {
	if l, ok := labels(field)[code]; ok {
		return l
	}
	return code
}

// Channel, Kind, Intent, FollowUp, Reason and Feedback return the Chinese
// label of a stored code, or the code itself when it has none.
func Channel(code string) string  { return label("channel", code) }
func Kind(code string) string     { return label("kind", code) }
func Intent(code string) string   { return label("intent", code) }
func FollowUp(code string) string { return label("follow_up", code) }
func Reason(code string) string   { return label("reason", code) }
func Feedback(code string) string { return label("feedback", code) }

// Time shows a record's time to the second in the log's time zone.
func Time(t time.Time) string { return t.In(sqldb.LogZone()).Format("2006-01-02 15:04:05") }

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
func Row(r sqldb.LogRecord) []string {
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
func WriteCSV(w io.Writer, each func(func(sqldb.LogRecord) error) error, keep func(sqldb.LogRecord) bool) (int, error) {
	if _, err := io.WriteString(w, BOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Header()); err != nil {
		return 0, err
	}
	n := 0
	err := each(func(r sqldb.LogRecord) error {
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
