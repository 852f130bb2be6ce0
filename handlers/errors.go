package handlers

import (
	"encoding/json"
	"errors"
	"fazhibot/accounts"
	"fazhibot/console"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// httpError is an error with the HTTP answer it maps to. Handlers return or
// pass httpErrors to respondError, the one place errors become responses.
type httpError struct {
	status int
	msg    string      // shown to the client; short, Simplified Chinese, no internals
	cause  error       // logged only; may be nil
	header http.Header // extra response headers (Allow, WWW-Authenticate); may be nil
}

func (e *httpError) Error() string {
	if e.cause == nil {
		return fmt.Sprintf("%d %s", e.status, e.msg)
	}
	return fmt.Sprintf("%d %s: %v", e.status, e.msg, e.cause)
}

func (e *httpError) Unwrap() error { return e.cause }

// The answers the WeChat callback gives to requests it refuses. The causes
// distinguish them in the log.
func errBadRequest(cause error) error {
	return &httpError{status: http.StatusBadRequest, msg: "请求格式错误", cause: cause}
}

func errForbidden(cause error) error {
	return &httpError{status: http.StatusForbidden, msg: "请求校验失败", cause: cause}
}

// The answers the JSON API gives to requests it refuses.

// errInvalidRequest is a 400 whose msg tells the client what to fix.
func errInvalidRequest(msg string, cause error) error {
	return &httpError{status: http.StatusBadRequest, msg: msg, cause: cause}
}

// errUnauthorized is a 401 with the RFC 6750 challenge; invalid says that a
// token was sent but not accepted.
func errUnauthorized(invalid bool, cause error) error {
	challenge, msg := `Bearer realm="fazhibot"`, "缺少访问令牌"
	if invalid {
		challenge, msg = `Bearer realm="fazhibot", error="invalid_token"`, "访问令牌无效"
	}
	return &httpError{status: http.StatusUnauthorized, msg: msg, cause: cause,
		header: http.Header{"Www-Authenticate": {challenge}}}
}

func errUnsupportedMediaType(cause error) error {
	return &httpError{status: http.StatusUnsupportedMediaType, msg: "请求体应为 JSON（Content-Type: application/json）", cause: cause}
}

func errMethodNotAllowed(method, allow string) error {
	return &httpError{status: http.StatusMethodNotAllowed, msg: "不支持该请求方法，请使用 " + allow,
		cause: fmt.Errorf("method %s", method), header: http.Header{"Allow": {allow}}}
}

func errNotFound() error {
	return &httpError{status: http.StatusNotFound, msg: "接口不存在"}
}

// errJSONBody is the answer to a JSON request body that does not decode
// (err from a json.Decoder with DisallowUnknownFields) into the object a
// route takes, whose fields are fields: a 400 whose message names the
// unknown field or the field of the wrong type and the type it takes, or
// says where the JSON breaks. A body over its http.MaxBytesReader limit
// is returned as it is (413).
func errJSONBody(err error, fields ...string) error {
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		return err
	}
	takes := ""
	if len(fields) > 0 {
		takes = "；本接口的字段为 " + strings.Join(fields, "、")
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errInvalidRequest("请求体为空，应为一个 JSON 对象"+takes, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errInvalidRequest("请求体不是完整的 JSON（在结尾处中断）", err)
	case errors.As(err, &syntax):
		return errInvalidRequest(fmt.Sprintf("请求体不是有效的 JSON（第 %d 个字节附近有语法错误）", syntax.Offset), err)
	case errors.As(err, &typ) && typ.Field != "":
		return errInvalidRequest(fmt.Sprintf("字段 %s 的类型不对：应为%s", typ.Field, jsonKind(typ.Type)), err)
	case errors.As(err, &typ):
		return errInvalidRequest("请求体应为一个 JSON 对象"+takes, err)
	}
	// encoding/json words an unknown field as: json: unknown field "name"
	if quoted, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, uerr := strconv.Unquote(quoted)
		if uerr != nil || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
			name = quoted
		}
		return errInvalidRequest(fmt.Sprintf("未知字段 %q%s", name, takes), err)
	}
	return errInvalidRequest("请求体不是有效的 JSON", err)
}

// jsonKind names the JSON type that t decodes from, for staff.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return " true 或 false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Slice, reflect.Array:
		return "数组"
	case reflect.Map, reflect.Struct:
		return "对象"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "其他类型"
}

// The answers the staff console gives to requests it refuses. Under
// /admin/ they are HTML pages, under /api/ JSON, like every error.

// errCSRF is a 403 for a state-changing request without the session's
// (or the log-in form's) CSRF token.
func errCSRF(cause error) error {
	return &httpError{status: http.StatusForbidden, msg: "页面已过期或请求来源无法验证（CSRF 校验失败），请刷新页面后重试。", cause: cause}
}

// errRole is a 403 for an action the account's role does not allow;
// msg says what is needed.
func errRole(msg string) error {
	return &httpError{status: http.StatusForbidden, msg: msg, cause: errors.New("role not allowed")}
}

// errAuditAdminOnly is errRole for the audit log.
func errAuditAdminOnly() error {
	return errRole("只有管理员可以查看审计日志。")
}

// errAdminOnly is errRole for the admins' actions.
func errAdminOnly() error {
	return errRole("您没有权限执行此操作：需要管理员账号。")
}

// errConflict is a 409 whose msg tells staff what changed under them.
func errConflict(msg string, cause error) error {
	return &httpError{status: http.StatusConflict, msg: msg, cause: cause}
}

// errPageNotFound is a 404 for a console page or object.
func errPageNotFound(msg string, cause error) error {
	return &httpError{status: http.StatusNotFound, msg: msg, cause: cause}
}

// checkInput returns a 400 naming what (e.g. "报告编号") when s holds a
// NUL byte or invalid UTF-8, which the databases cannot look up alike;
// nil otherwise.
func checkInput(what, s string) error {
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		return errInvalidRequest(what+"含有无效字符（空字节或乱码），请检查后重试。", nil)
	}
	return nil
}

// storeError maps the store's sentinel errors and the accounts rules to
// answers for staff, for errors the handler did not word itself; others
// stay server errors.
func storeError(err error) (status int, msg string, ok bool) {
	if rule, isRule := errors.AsType[accounts.RuleError](err); isRule {
		return http.StatusBadRequest, string(rule), true
	}
	switch {
	case errors.Is(err, console.ErrNotAllowed):
		return http.StatusForbidden, "您没有权限执行此操作：需要管理员账号。", true
	case errors.Is(err, console.ErrNotFound):
		return http.StatusNotFound, "找不到该内容，可能已被删除。", true
	case errors.Is(err, console.ErrConflict):
		return http.StatusConflict, "内容已被他人修改，您的修改未保存。请刷新页面，在最新内容的基础上重新编辑。", true
	case errors.Is(err, console.ErrExists):
		return http.StatusConflict, "已存在同名的内容。", true
	case errors.Is(err, console.ErrInvalid):
		return http.StatusBadRequest, "输入的内容无效，请检查后重试。", true
	}
	return 0, "", false
}

// userMessage is the text staff see for err: an *httpError's message,
// or the generic server error.
func userMessage(err error) string {
	if he, ok := errors.AsType[*httpError](err); ok {
		return he.msg
	}
	if _, msg, ok := storeError(err); ok {
		return msg
	}
	return "服务器内部错误，请稍后再试。"
}

// errorBody is the JSON API's error response.
type errorBody struct {
	Error string `json:"error"`
}

// respondError writes the response err maps to: an *httpError's status,
// headers and message, 413 for a body over its http.MaxBytesReader limit,
// the store's sentinel errors as storeError says, 500 for anything else.
// The body is the plain message, under apiPrefix the JSON {"error":
// message}, and under adminPrefix (with the console on) an HTML page. It
// logs client errors at Warn and server errors at Error, never with
// request contents.
func (s *Server) respondError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "服务器内部错误"
	var header http.Header
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		status, msg = http.StatusRequestEntityTooLarge, "请求体过大"
	} else if he, ok := errors.AsType[*httpError](err); ok {
		status, msg, header = he.status, he.msg, he.header
	} else if st, m, ok := storeError(err); ok && s.admin != nil {
		status, msg = st, m
	}

	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "request refused",
		"method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr,
		"status", status, "err", err)

	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if s.admin != nil && strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.renderErrorPage(w, r, status, msg)
		return
	}
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
		return
	}
	body, _ := json.Marshal(errorBody{Error: msg}) // cannot fail for a string
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// recoverPanics turns a panic in next into a logged 500, so one bad request
// cannot take the process down. http.ErrAbortHandler is re-raised: it is
// net/http's deliberate way to abort a response.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			s.respondError(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}
