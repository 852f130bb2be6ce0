package main

// Hostile requests against the real listener of a running "fazhibot
// serve": replays, forged signatures, oversized and endless bodies, a
// slow-header client and a flood from one citizen. The program runs in
// plaintext mode (signature covers the URL only) with its sessions,
// dedupe and rate limit in a private redis-server.

import (
	"bufio"
	"errors"
	"fazhibot/internal/wechatclient"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileRateLimited is the bot's reply to a message over the rate limit
// (rateLimitedText in bot/render.go).
const hostileRateLimited = "您发送得太快了,请稍等片刻再提问。"

// hostileTarget is the program under attack and a client that signs for it.
type hostileTarget struct {
	p     *faultProgram
	token string
	host  string // 127.0.0.1:port
	wc    *faultWeChat
	tag   string
}

// hostileSigned returns the query of a callback signed with token for at and nonce.
func hostileSigned(token string, at time.Time, nonce string) url.Values {
	ts := strconv.FormatInt(at.Unix(), 10)
	return url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {wechatclient.Signature(token, ts, nonce)}}
}

// do sends method /wechat?query with body and returns the status and body.
func (h *hostileTarget) do(method string, query url.Values, body []byte) (int, string, error) {
	var r io.Reader
	if body != nil {
		r = strings.NewReader(string(body))
	}
	req, err := http.NewRequest(method, h.p.base+"/wechat?"+query.Encode(), r)
	if err != nil {
		return 0, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/xml")
	}
	resp, err := h.wc.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// messagesHandled sums fazhibot_messages_total over all its series: one
// per Respond call.
func (h *hostileTarget) messagesHandled(t *testing.T) float64 {
	t.Helper()
	resp, err := metricsGet(h.p.base)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var sum float64
	for line := range strings.Lines(string(body)) {
		if !strings.HasPrefix(line, "fazhibot_messages_total{") {
			continue
		}
		_, v, _ := strings.Cut(strings.TrimSpace(line), "} ")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += f
	}
	return sum
}

func TestHostileRequests(t *testing.T) {
	token := "hostileToken" + faultTag()
	vars := map[string]string{"FAZHIBOT_WECHAT_TOKEN": token}
	if _, err := exec.LookPath("redis-server"); err == nil {
		vars["FAZHIBOT_REDIS_URL"] = "redis://" + newPrivateRedis(t).addr() + "/0"
	} else {
		t.Log("redis-server is not installed: dedupe and rate limit run in the in-process store")
	}
	p := faultServe(t, testEnv(t, vars))
	u, err := url.Parse(p.base)
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileTarget{p: p, token: token, host: u.Host, wc: newFaultWeChat(t, p.base, token, "", ""), tag: faultTag()}

	t.Run("refused", func(t *testing.T) { hostileRefused(t, h) })
	t.Run("same message twice", func(t *testing.T) { hostileDuplicate(t, h) })
	t.Run("chunked body past the limit", func(t *testing.T) { hostileChunked(t, h) })
	t.Run("slow headers", func(t *testing.T) { hostileSlowHeaders(t, h) })
	t.Run("flood from one OpenID", func(t *testing.T) { hostileFlood(t, h) })
}

// hostileRefused sends single requests that must get a given status.
func hostileRefused(t *testing.T, h *hostileTarget) {
	now := time.Now()
	msg := func(user string, at time.Time) []byte {
		return wechatclient.TextMessage("gh_jiangjinfabu", user, at.Unix(), faultQuestion, h.wc.ids.Add(1))
	}
	with := func(q url.Values, k, v string) url.Values {
		q = maps.Clone(q) // Set and Del replace the value slices, never modify them
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	good := hostileSigned(h.token, now, "hostile1")
	sig := good.Get("signature")
	oversized := append([]byte(nil), msg("oHostileBig"+h.tag, now)...)
	oversized = []byte(strings.Replace(string(oversized), faultQuestion, strings.Repeat("罚", 22*1024), 1)) // 66 KiB of text
	echo := func(q url.Values) url.Values { return with(q, "echostr", "echo"+h.tag) }

	tests := []struct {
		name     string
		method   string
		query    url.Values
		body     []byte
		want     int
		wantBody string // for 200s
	}{
		{"correctly signed message (control)", http.MethodPost, good, msg("oHostileOK"+h.tag, now), http.StatusOK, faultFigure},
		{"timestamp 6 minutes old", http.MethodPost, hostileSigned(h.token, now.Add(-6*time.Minute), "hostile2"), msg("oHostileOld"+h.tag, now.Add(-6*time.Minute)), http.StatusForbidden, ""},
		{"timestamp 6 minutes ahead", http.MethodPost, hostileSigned(h.token, now.Add(6*time.Minute), "hostile3"), msg("oHostileNew"+h.tag, now.Add(6*time.Minute)), http.StatusForbidden, ""},
		{"timestamp not a number", http.MethodPost, url.Values{"timestamp": {"yesterday"}, "nonce": {"n"}, "signature": {wechatclient.Signature(h.token, "yesterday", "n")}}, msg("oHostileTS"+h.tag, now), http.StatusForbidden, ""},
		{"signature with a wrong token", http.MethodPost, hostileSigned("not-the-token", now, "hostile4"), msg("oHostileTok"+h.tag, now), http.StatusForbidden, ""},
		{"truncated signature", http.MethodPost, with(good, "signature", sig[:len(sig)-1]), msg("oHostileTrunc"+h.tag, now), http.StatusForbidden, ""},
		{"uppercase hex signature", http.MethodPost, with(good, "signature", strings.ToUpper(sig)), msg("oHostileUpper"+h.tag, now), http.StatusForbidden, ""},
		{"missing signature", http.MethodPost, with(good, "signature", ""), msg("oHostileNoSig"+h.tag, now), http.StatusForbidden, ""},
		{"signature of another nonce", http.MethodPost, with(good, "nonce", "hostile5"), msg("oHostileNonce"+h.tag, now), http.StatusForbidden, ""},
		{"body over 64 KiB", http.MethodPost, good, oversized, http.StatusRequestEntityTooLarge, ""},
		{"malformed XML", http.MethodPost, good, []byte("<xml><ToUserName><![CDATA[gh_jiangjinfabu]]></ToUserName><FromUserName>"), http.StatusBadRequest, ""},
		{"XML without a sender", http.MethodPost, good, []byte("<xml><MsgType><![CDATA[text]]></MsgType><Content>x</Content></xml>"), http.StatusBadRequest, ""},
		{"JSON instead of XML", http.MethodPost, good, []byte(`{"FromUserName":"oHostile","MsgType":"text"}`), http.StatusBadRequest, ""},
		{"encrypted message to a plaintext account", http.MethodPost, with(good, "encrypt_type", "aes"), msg("oHostileAES"+h.tag, now), http.StatusForbidden, ""},
		{"unknown encrypt_type", http.MethodPost, with(good, "encrypt_type", "rot13"), msg("oHostileRot"+h.tag, now), http.StatusBadRequest, ""},
		{"GET echostr correctly signed (control)", http.MethodGet, echo(good), nil, http.StatusOK, "echo" + h.tag},
		{"GET echostr with a bad signature", http.MethodGet, echo(with(good, "signature", strings.Repeat("0", 40))), nil, http.StatusForbidden, ""},
		{"GET echostr with a wrong token", http.MethodGet, echo(hostileSigned("not-the-token", now, "hostile6")), nil, http.StatusForbidden, ""},
		{"GET echostr without a signature", http.MethodGet, echo(with(good, "signature", "")), nil, http.StatusForbidden, ""},
		{"GET echostr with an old timestamp", http.MethodGet, echo(hostileSigned(h.token, now.Add(-6*time.Minute), "hostile7")), nil, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := h.do(tt.method, tt.query, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.want {
				t.Fatalf("status %d, want %d; body %q", status, tt.want, firstLines(body, 3))
			}
			if tt.want == http.StatusOK && !strings.Contains(body, tt.wantBody) {
				t.Errorf("body %q lacks %q", body, tt.wantBody)
			}
			if tt.want != http.StatusOK && strings.Contains(body, faultFigure) {
				t.Errorf("a refused request was answered: %q", body)
			}
		})
	}
}

// hostileDuplicate delivers one correctly signed message twice, as a
// replay or WeChat's retry: the second delivery gets the first reply, and
// the bot answers once.
func hostileDuplicate(t *testing.T, h *hostileTarget) {
	user, id, at := "oHostileDup"+h.tag, h.wc.ids.Add(1), time.Now()
	before := h.messagesHandled(t)
	var replies []string
	for range 2 {
		req, err := wxRequest(h.wc.wx, h.wc.url, wxCall{user: user, text: faultQuestion, msgID: id, at: at})
		if err != nil {
			t.Fatal(err)
		}
		r, _, err := wxRoundTrip(h.wc.wx, h.wc.http, req)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, r.Content)
	}
	if !strings.Contains(replies[0], faultFigure) {
		t.Fatalf("first delivery: %q", replies[0])
	}
	if replies[1] != replies[0] {
		t.Errorf("second delivery answered %q, want the first reply %q", replies[1], replies[0])
	}
	if got := h.messagesHandled(t) - before; got != 1 {
		t.Errorf("the bot handled %v messages for one message delivered twice", got)
	}
}

// hostileChunked sends a correctly signed message whose chunked body grows
// past 64 KiB without end: the answer must be 413 or a closed connection,
// never a reply.
func hostileChunked(t *testing.T, h *hostileTarget) {
	conn, err := net.Dial("tcp", h.host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	q := hostileSigned(h.token, time.Now(), "chunked")
	fmt.Fprintf(conn, "POST /wechat?%s HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n", q.Encode())
	head := "<xml><ToUserName><![CDATA[gh_jiangjinfabu]]></ToUserName><FromUserName><![CDATA[oHostileChunk" + h.tag +
		"]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
	stop := make(chan struct{})
	defer close(stop)
	var sent sync.WaitGroup
	var written int
	sent.Go(func() {
		if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(head), head); err != nil {
			return
		}
		chunk := strings.Repeat("a", 8<<10)
		for written = len(head); written < 1<<20; written += len(chunk) { // up to 1 MiB, never the last chunk
			select {
			case <-stop:
				return
			default:
			}
			if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
				return // the server closed the connection
			}
		}
	})
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	switch {
	case err != nil:
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatalf("the server neither answered nor closed the connection: %v", err)
		}
		t.Logf("connection closed without a response: %v", err)
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413; body %q", resp.StatusCode, body)
		}
		t.Logf("answered %d %q", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	conn.Close()
	sent.Wait()
	t.Logf("the client had written %d KiB of the body", written>>10)
}

// hostileSlowHeaders opens a connection, starts a request and then sends
// one header byte a second: the server must close it by its header
// timeout (5 s), while serving a normal request on another connection.
func hostileSlowHeaders(t *testing.T, h *hostileTarget) {
	conn, err := net.Dial("tcp", h.host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	opened := time.Now()
	if _, err := io.WriteString(conn, "POST /wechat HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	defer func() { close(stop); conn.Close(); bg.Wait() }()
	bg.Go(func() {
		header := "X-Slowloris: " + strings.Repeat("a", 60)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; i < len(header); i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte{header[i]}); err != nil {
				return
			}
		}
	})
	closed := make(chan error, 1)
	bg.Go(func() {
		_ = conn.SetReadDeadline(opened.Add(20 * time.Second))
		_, err := io.Copy(io.Discard, conn) // a 408 or nothing, then EOF or a reset
		if err == nil {
			err = io.EOF
		}
		closed <- err
	})

	// Meanwhile another citizen is served.
	time.Sleep(2 * time.Second)
	select {
	case err := <-closed:
		t.Fatalf("the slow connection was closed after %v, before its header timeout: %v", time.Since(opened), err)
	default:
	}
	r, _, err := h.wc.say("oHostileNormal"+h.tag, faultQuestion)
	if err != nil || !strings.Contains(r, faultFigure) {
		t.Errorf("a normal request during the slow one: %q, %v", r, err)
	}

	select {
	case err := <-closed:
		after := time.Since(opened)
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatalf("the slow connection was still open after %v", after)
		}
		if after > 8*time.Second {
			t.Errorf("the slow connection was closed after %v, want within 8 s", after)
		}
		t.Logf("the server closed the slow connection after %v (%v)", after.Round(10*time.Millisecond), err)
	case <-time.After(time.Until(opened.Add(8 * time.Second))):
		t.Errorf("the slow connection is still open %v after it was opened", time.Since(opened))
	}
}

// hostileFlood sends 60 messages from one OpenID at once: at most the rate
// limit (20 a minute) is answered, the rest get the rate-limit reply, all
// with 200 in time; another citizen is answered meanwhile.
func hostileFlood(t *testing.T, h *hostileTarget) {
	const burst, limit = 60, 20
	user := "oHostileFlood" + h.tag
	type result struct {
		text string
		err  error
	}
	results := make([]result, burst)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			<-start
			r, _, err := h.wc.say(user, faultQuestion)
			results[i] = result{r, err}
		})
	}
	close(start)
	other, _, err := h.wc.say("oHostileBystander"+h.tag, faultQuestion)
	if err != nil || !strings.Contains(other, faultFigure) {
		t.Errorf("another citizen during the flood: %q, %v", other, err)
	}
	wg.Wait()

	answered, limited := 0, 0
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("message %d: %v", i+1, r.err)
		case strings.Contains(r.text, faultFigure):
			answered++
		case r.text == hostileRateLimited:
			limited++
		default:
			t.Errorf("message %d: %q, neither an answer nor the rate-limit reply", i+1, r.text)
		}
	}
	t.Logf("%d of %d messages answered, %d refused with the rate-limit reply", answered, burst, limited)
	if answered > limit || answered == 0 || answered+limited != burst {
		t.Errorf("%d answered and %d rate-limited of %d, want at most %d answered and the rest rate-limited", answered, limited, burst, limit)
	}
	if answered != limit {
		t.Errorf("%d answered, want exactly %d: the limit's window starts with the burst", answered, limit)
	}
}
