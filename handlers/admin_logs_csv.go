package handlers

// The CSV export of a filtered query-log list, with the rules of the
// command line's "fazhibot logs export": UTF-8 with a byte-order mark so
// that Excel reads it as UTF-8, Chinese headers, CRLF line ends, and cells
// a spreadsheet would read as a formula neutralised.

import (
	"bufio"
	"context"
	"io"
	"net/http"

	"fazhibot/console"
	"fazhibot/storage/logexport"
)

// csvBuffer is how much of an export is buffered before the response
// starts: an export that fails within it is answered with an error page
// instead of a truncated file.
const csvBuffer = 32 << 10

// writeLogsCSV writes the BOM, the header and every record sel selects to
// w, streaming them through EachLog, and returns how many records it
// wrote. Records with a verdict are skipped under the "无" feedback filter.
func writeLogsCSV(ctx context.Context, db console.QueryLog, sel logSelection, w io.Writer) (int, error) {
	return logexport.WriteCSV(w,
		func(fn func(console.LogRecord) error) error { return db.EachLog(ctx, sel.filter, fn) },
		func(r console.LogRecord) bool { return !sel.noFeedback || r.Feedback == console.FeedbackNone })
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
