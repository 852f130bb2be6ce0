package handlers

// The CSV export of a filtered query-log list, with the rules of the
// command line's "fazhibot logs export": UTF-8 with a byte-order mark so
// that Excel reads it as UTF-8, Chinese headers, CRLF line ends, and cells
// a spreadsheet would read as a formula neutralised.

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"fazhibot/storage/sqldb"
)

// utf8BOM lets Excel recognise a CSV file as UTF-8.
const utf8BOM = "\ufeff"

// csvBuffer is how much of an export is buffered before the response
// starts: an export that fails within it is answered with an error page
// instead of a truncated file.
const csvBuffer = 32 << 10

// logCSVHeader returns the first row of an export: the columns of
// logCSVRow.
func logCSVHeader() []string {
	return []string{"编号", "时间", "渠道", "用户化名", "OpenID", "消息类型", "消息内容", "意图", "追问方式",
		"是否提问", "分词", "上下文词", "年度", "部门", "是否回答", "未回答原因", "命中段落(报告#段落:得分)", "回复内容",
		"耗时(毫秒)", "收到的评价", "评价时间", "交互编号", "本条给出的评价", "所评价的交互", "存储错误"}
}

// logCSVRow returns the cells of r, not yet neutralised.
func logCSVRow(r sqldb.LogRecord) []string {
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
		feedbackAt = logTimeText(r.FeedbackAt)
	}
	return []string{
		strconv.FormatInt(int64(r.ID), 10), logTimeText(r.Time), label(channelLabels(), r.Channel), r.User, r.OpenID,
		label(kindLabels(), r.Kind), r.Text, label(intentLabels(), r.Intent), label(followUpLabels(), r.FollowUp),
		yesNo(r.Question), strings.Join(r.Terms, " "), strings.Join(r.Context, " "), year, r.Department,
		yesNo(r.Answered), label(reasonLabels(), string(r.Reason)), strings.Join(hits, ";"), r.Reply,
		strconv.FormatInt(r.Latency.Milliseconds(), 10), label(feedbackLabels(), string(r.Feedback)), feedbackAt,
		r.Exchange, label(feedbackLabels(), string(r.Gives)), r.RefersTo, r.StoreError,
	}
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// neutralizeCell defuses a cell that a spreadsheet would read as a formula
// (CSV injection: =, +, -, @, and the tab and carriage return some
// spreadsheets skip before one) by prefixing a single quote.
func neutralizeCell(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// writeLogsCSV writes the BOM, the header and every record sel selects to
// w, streaming them through EachLog, and returns how many records it
// wrote. Records with a verdict are skipped under the "无" feedback filter.
func writeLogsCSV(ctx context.Context, db *sqldb.DB, sel logSelection, w io.Writer) (int, error) {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(logCSVHeader()); err != nil {
		return 0, err
	}
	n := 0
	err := db.EachLog(ctx, sel.filter, func(r sqldb.LogRecord) error {
		if sel.noFeedback && r.Feedback != sqldb.FeedbackNone {
			return nil
		}
		row := logCSVRow(r)
		for i, cell := range row {
			row[i] = neutralizeCell(cell)
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

// csvResponse starts the CSV response at its first write, so that an
// export failing before then can still be answered with an error.
type csvResponse struct {
	w        http.ResponseWriter
	filename string
	started  bool
}

func (c *csvResponse) Write(p []byte) (int, error) {
	if !c.started {
		c.started = true
		h := c.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+c.filename+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		c.w.WriteHeader(http.StatusOK)
	}
	return c.w.Write(p)
}

// exportLogs answers the CSV export of the records the query string's
// filter selects (the list's filters; no page cursor), for the pages and
// the JSON API alike.
func (s *Server) exportLogs(w http.ResponseWriter, r *http.Request, a *actor) error {
	if !a.admin() {
		return errLogsAdminOnly()
	}
	sel, err := parseLogQuery(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	resp := &csvResponse{w: w, filename: "query-logs-" + sel.query.From + "_" + sel.query.To + ".csv"}
	buf := bufio.NewWriterSize(resp, csvBuffer)
	n, err := writeLogsCSV(r.Context(), s.admin.db, sel, buf)
	if err == nil {
		err = buf.Flush()
	}
	if err != nil {
		if !resp.started {
			return err
		}
		// The file is partly sent: abort the response, so that the
		// browser reports a failed download instead of a short file.
		s.log.Error("exporting the query log failed", "written", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
