package redisstore

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Default ports used when an address in the URL has none.
const (
	defaultPort         = "6379"
	defaultSentinelPort = "26379"
)

// target is a parsed Redis URL.
type target struct {
	addrs            []string // host:port; sentinels when master is set
	username         string
	password         string
	db               int
	master           string // sentinel master name; "" unless sentinel
	sentinelUsername string
	sentinelPassword string
	tls              bool
	cluster          bool // more than one address, or ?cluster=true
}

// parseURL parses the URL forms documented on Open. Its errors name the
// problem and quote the URL with passwords masked.
func parseURL(raw string) (target, error) {
	var t target
	fail := func(format string, args ...any) (target, error) {
		return target{}, fmt.Errorf("redisstore: invalid Redis URL %q: %s", redact(raw), fmt.Sprintf(format, args...))
	}
	if raw == "" {
		return fail("empty URL")
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return fail("missing scheme, want redis:// or rediss://")
	}
	switch strings.ToLower(scheme) {
	case "redis":
	case "rediss":
		t.tls = true
	default:
		return fail("unsupported scheme %q, want redis or rediss", scheme)
	}

	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	hosts := authority
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		hosts = authority[at+1:]
		u, err := url.Parse("redis://" + authority[:at] + "@x")
		if err != nil || u.User == nil {
			return fail("malformed user info (percent-encode special characters)")
		}
		t.username = u.User.Username()
		t.password, _ = u.User.Password()
	}

	u, err := url.Parse("redis://x" + tail)
	if err != nil {
		return fail("malformed path or query: %v", unwrapURLError(err))
	}
	if u.Fragment != "" {
		return fail("unexpected fragment #%s", u.Fragment)
	}
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		db, err := strconv.Atoi(p)
		if err != nil || db < 0 {
			return fail("database %q in the path is not a non-negative integer", p)
		}
		t.db = db
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("malformed query: %v", err)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return fail("query parameter %q given %d times", k, len(vs))
		}
		v := vs[0]
		switch k {
		case "master":
			if v == "" {
				return fail("empty master name")
			}
			t.master = v
		case "sentinel_username":
			t.sentinelUsername = v
		case "sentinel_password":
			t.sentinelPassword = v
		case "cluster":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fail("cluster=%q is not a boolean", v)
			}
			t.cluster = b
		default:
			return fail("unknown query parameter %q (known: master, sentinel_username, sentinel_password, cluster)", k)
		}
	}

	port := defaultPort
	if t.master != "" {
		port = defaultSentinelPort
	}
	if hosts == "" {
		return fail("no host")
	}
	for _, h := range strings.Split(hosts, ",") {
		addr, problem := hostPort(strings.TrimSpace(h), port)
		if problem != "" {
			return fail("%s", problem)
		}
		t.addrs = append(t.addrs, addr)
	}

	if t.master == "" && len(t.addrs) > 1 {
		t.cluster = true
	}
	switch {
	case t.master != "" && t.cluster:
		return fail("master (Sentinel) and cluster=true exclude each other")
	case t.master == "" && (t.sentinelUsername != "" || t.sentinelPassword != ""):
		return fail("sentinel_username or sentinel_password given without master")
	case t.cluster && t.db != 0:
		return fail("Redis Cluster has only database 0, got %d", t.db)
	}
	return t, nil
}

// hostPort validates one address of the address list, adding port when it
// has none. It returns a description of the problem, if any.
func hostPort(h, port string) (addr, problem string) {
	if h == "" {
		return "", "empty address in the address list"
	}
	host, p := h, port
	switch {
	case strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]"): // [::1]
		host = h[1 : len(h)-1]
	case strings.Count(h, ":") == 0: // host
	default:
		var err error
		if host, p, err = net.SplitHostPort(h); err != nil {
			return "", fmt.Sprintf("address %q: want host:port", h)
		}
	}
	if host == "" || strings.ContainsAny(host, " /\\@[]") {
		return "", fmt.Sprintf("address %q: invalid host", h)
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return "", fmt.Sprintf("address %q: port %q is not a number from 1 to 65535", h, p)
	}
	return net.JoinHostPort(host, p), ""
}

// redact returns raw with the password of its user info and any
// sentinel_password query value masked, for error messages.
func redact(raw string) string {
	const mask = "xxxxx"
	out := raw
	if _, rest, ok := strings.Cut(raw, "://"); ok {
		authority := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			authority = rest[:i]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if user, _, hasPass := strings.Cut(authority[:at], ":"); hasPass {
				start := len(raw) - len(rest)
				out = raw[:start] + user + ":" + mask + raw[start+at:]
			}
		}
	}
	const param = "sentinel_password="
	for i := 0; ; {
		j := strings.Index(out[i:], param)
		if j < 0 {
			break
		}
		j += i + len(param)
		end := strings.IndexAny(out[j:], "&#")
		if end < 0 {
			end = len(out) - j
		}
		out = out[:j] + mask + out[j+end:]
		i = j + len(mask)
	}
	return out
}

// unwrapURLError drops the *url.Error wrapper, whose message repeats the
// (unredacted) input.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
