package handlers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fazhibot/bot"
	"fazhibot/console"
)

const (
	// maxAPIBodyBytes bounds a JSON API request body.
	maxAPIBodyBytes = 64 << 10
	// maxAPIUserBytes bounds askRequest.User.
	maxAPIUserBytes = 128
	// maxAPITextRunes bounds askRequest.Text.
	maxAPITextRunes = 1000
)

// askRequest is the body of POST /api/v1/ask.
type askRequest struct {
	// User identifies the asker within the API channel; the bot keeps one
	// conversation per user. Required, at most 128 bytes, no control
	// characters.
	User string `json:"user"`
	// Text is the question. Required, at most 1000 characters.
	Text string `json:"text"`
}

// askResponse is the answer to POST /api/v1/ask: the bot's reply in its
// parts (bot.Reply), for the client to render as it likes. The API asks
// for no paging, so Reply is always whole.
type askResponse struct {
	Answered bool   `json:"answered"`
	Intent   string `json:"intent"`
	// Reply is the reply's text; Choices its numbered options (replying
	// with the number n picks choices[n-1]), never null; Note what follows
	// them.
	Reply   string   `json:"reply"`
	Choices []string `json:"choices"`
	Note    string   `json:"note"`
	// Next is what 详情 and 更多 would give: "related" after a quoted
	// passage, "" for nothing.
	Next string `json:"next"`
	// Source is the passage quoted, null when the reply quotes none.
	Source *apiHit  `json:"source"`
	Hits   []apiHit `json:"hits"` // never null
}

// apiHit is one passage behind a reply.
type apiHit struct {
	ReportID   string  `json:"report_id"`
	Title      string  `json:"title"`
	Department string  `json:"department"`
	Year       int     `json:"year"`
	Section    string  `json:"section"`
	Score      float64 `json:"score"` // rounded to 3 decimals
}

// handleAPIAsk asks the Responder one question for an API client:
// authenticated with a bearer token, a JSON askRequest in, a JSON
// askResponse out. The Responder gets Options.ReplyTimeout, and is
// cancelled when the client goes away; past the deadline the reply is the
// busy text with answered false.
func (s *Server) handleAPIAsk(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := s.authenticate(r); err != nil {
		s.respondError(w, r, err)
		return
	}
	req, err := decodeAskRequest(w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}

	m := bot.Message{Channel: bot.ChannelAPI, User: bot.UserID(req.User), Kind: bot.KindText, Text: req.Text, Time: s.now()}
	ctx, cancel := context.WithTimeout(r.Context(), s.replyTimeout)
	defer cancel()
	reply, outcome := s.callResponder(ctx, m)
	switch outcome {
	case outcomePanic:
		s.respondError(w, r, errors.New("responder panicked"))
		return
	case outcomeTimeout:
		reply = bot.Reply{Text: busyText, Intent: bot.IntentBusy}
	}

	out := askResponse{Answered: reply.Answered, Intent: string(reply.Intent), Reply: reply.Text,
		Choices: append([]string{}, reply.Choices...), Note: reply.Note, Next: string(reply.Next),
		Hits: make([]apiHit, 0, len(reply.Hits))}
	for _, h := range reply.Hits {
		out.Hits = append(out.Hits, apiHit{
			ReportID:   string(h.ReportID),
			Title:      h.Title,
			Department: h.Department,
			Year:       h.Year,
			Section:    h.Section(),
			Score:      roundScore(h.Score),
		})
	}
	if reply.Answered && len(out.Hits) > 0 {
		out.Source = &out.Hits[0]
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.respondError(w, r, fmt.Errorf("encode answer: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(append(body, '\n'))

	s.log.Info("api question answered", "outcome", outcome, "intent", reply.Intent,
		"answered", reply.Answered, "hits", len(reply.Hits), "elapsed", time.Since(start))
	s.log.Debug("api question answered", "user", m.User, "text", m.Text, "reply", reply.Text)
}

// apiMethodNotAllowed answers other methods on an API route with a JSON 405
// naming allow.
func (s *Server) apiMethodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.respondError(w, r, errMethodNotAllowed(r.Method, allow))
	}
}

// handleAPINotFound answers unknown paths under apiPrefix with a JSON 404.
func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	s.respondError(w, r, errNotFound())
}

// authenticate checks the request's bearer token: with Options.Authorize
// when set, else against Options.APITokens in constant time; failing that,
// when the console is configured, it accepts the valid API token of an
// enabled console account (as /api/v1/admin/ does). Nothing configured
// refuses every request. Errors are 401 *httpErrors, or a server error
// when the console's database fails for a token the configuration does
// not list.
func (s *Server) authenticate(r *http.Request) error {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return errUnauthorized(false, errors.New("no bearer token"))
	}
	if s.authorize != nil && s.authorize(r, token) || s.authorize == nil && tokenListed(token, s.apiTokens) {
		return nil
	}
	if s.admin == nil {
		return errUnauthorized(true, errors.New("unknown token"))
	}
	_, _, err := s.admin.accounts.Authenticate(r.Context(), token)
	if errors.Is(err, console.ErrNotFound) {
		return errUnauthorized(true, errors.New("neither a configured nor a console token"))
	}
	if err != nil {
		return fmt.Errorf("console token lookup: %w", err)
	}
	return nil
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header (the scheme is case-insensitive).
func bearerToken(header string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// tokenListed reports whether token is one of the tokens whose SHA-256
// hashes are listed. Comparing fixed-size hashes, always all of them, keeps
// the time independent of where and whether the token matches and of its
// length.
func tokenListed(token string, hashes [][sha256.Size]byte) bool {
	sum := sha256.Sum256([]byte(token))
	match := 0
	for _, h := range hashes {
		match |= subtle.ConstantTimeCompare(sum[:], h[:])
	}
	return match == 1
}

// decodeAskRequest checks the content type and decodes and validates the
// body. Errors are 400 and 415 *httpErrors or an *http.MaxBytesError (413).
func decodeAskRequest(w http.ResponseWriter, r *http.Request) (askRequest, error) {
	var req askRequest
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return req, errUnsupportedMediaType(fmt.Errorf("Content-Type %q", r.Header.Get("Content-Type")))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return req, errUnsupportedMediaType(fmt.Errorf("charset %q", cs))
	}

	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, errJSONBody(err, "user", "text")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return req, err
		}
		return req, errInvalidRequest("请求体只能包含一个 JSON 对象", fmt.Errorf("trailing data: %v", err))
	}

	switch {
	case strings.TrimSpace(req.User) == "":
		return req, errInvalidRequest("缺少 user 字段", nil)
	case len(req.User) > maxAPIUserBytes:
		return req, errInvalidRequest(fmt.Sprintf("user 字段过长，最多 %d 字节", maxAPIUserBytes), nil)
	case strings.ContainsFunc(req.User, unicode.IsControl):
		return req, errInvalidRequest("user 字段不能含有控制字符", nil)
	case strings.TrimSpace(req.Text) == "":
		return req, errInvalidRequest("缺少 text 字段", nil)
	case utf8.RuneCountInString(req.Text) > maxAPITextRunes:
		return req, errInvalidRequest(fmt.Sprintf("text 字段过长，最多 %d 个字", maxAPITextRunes), nil)
	}
	return req, nil
}

// roundScore rounds a hit's score to 3 decimals for the API; a score that
// is not a finite number (never expected) becomes 0 rather than breaking
// the JSON.
func roundScore(score float64) float64 {
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return 0
	}
	return math.Round(score*1000) / 1000
}
