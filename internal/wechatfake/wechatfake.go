// Package wechatfake points the WeChat SDK (silenceper/wechat/v2) at a
// handler of the test's, for tests of code that calls WeChat's API: the
// menu command, the customer-service messages. It is imported by tests
// only.
package wechatfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// Redirect serves h as api.weixin.qq.com until t ends: the SDK's HTTP
// client sends every request for that host to h and refuses any other
// host, so that a test never reaches the real WeChat. The SDK's client is
// process-wide: tests that call Redirect must not run in parallel with
// each other.
func Redirect(t testing.TB, h http.Handler) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	old := util.DefaultHTTPClient
	util.DefaultHTTPClient = &http.Client{Transport: rewriteHost{to: target}, Timeout: 10 * time.Second}
	t.Cleanup(func() { util.DefaultHTTPClient = old })
}

// rewriteHost sends requests for api.weixin.qq.com to the fake.
type rewriteHost struct{ to *url.URL }

func (rt rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "api.weixin.qq.com" {
		return nil, fmt.Errorf("wechatfake: request to unexpected host %s", r.URL.Host)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rt.to.Scheme, rt.to.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}
