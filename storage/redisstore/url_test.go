package redisstore

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url  string
		want target
	}{
		{"redis://127.0.0.1:6379", target{addrs: []string{"127.0.0.1:6379"}}},
		{"redis://localhost", target{addrs: []string{"localhost:6379"}}},
		{"redis://redis.internal:6380/3", target{addrs: []string{"redis.internal:6380"}, db: 3}},
		{"redis://h/", target{addrs: []string{"h:6379"}}},
		{"REDIS://h:1", target{addrs: []string{"h:1"}}},
		{"redis://:pa%40ss@h:6379/1", target{addrs: []string{"h:6379"}, password: "pa@ss", db: 1}},
		{"redis://bot:s3cret@h:6379", target{addrs: []string{"h:6379"}, username: "bot", password: "s3cret"}},
		{"rediss://bot:s3cret@h:6380", target{addrs: []string{"h:6380"}, username: "bot", password: "s3cret", tls: true}},
		{"redis://[::1]:6379", target{addrs: []string{"[::1]:6379"}}},
		{"redis://[::1]", target{addrs: []string{"[::1]:6379"}}},
		{"redis://h1:7000,h2:7001,h3:7002", target{addrs: []string{"h1:7000", "h2:7001", "h3:7002"}, cluster: true}},
		{"redis://h1:7000, h2:7001", target{addrs: []string{"h1:7000", "h2:7001"}, cluster: true}},
		{"redis://:pw@cfg.example:7000?cluster=true", target{addrs: []string{"cfg.example:7000"}, password: "pw", cluster: true}},
		{"redis://h1:7000,h2:7001?cluster=1", target{addrs: []string{"h1:7000", "h2:7001"}, cluster: true}},
		{"redis://s1,s2:26380?master=mymaster", target{addrs: []string{"s1:26379", "s2:26380"}, master: "mymaster"}},
		{"redis://:mpw@s1:26379/2?master=m&sentinel_username=sen&sentinel_password=spw", target{
			addrs: []string{"s1:26379"}, password: "mpw", db: 2, master: "m",
			sentinelUsername: "sen", sentinelPassword: "spw",
		}},
		{"redis://s1?master=m&cluster=false", target{addrs: []string{"s1:26379"}, master: "m"}},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			got, err := parseURL(c.url)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("parseURL =\n %+v, want\n %+v", got, c.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	cases := []struct {
		url  string
		want string // in the error message
	}{
		{"", "empty URL"},
		{"localhost:6379", "missing scheme"},
		{"unix:///tmp/redis.sock", `unsupported scheme "unix"`},
		{"redis://", "no host"},
		{"redis:///0", "no host"},
		{"redis://:pw@/0", "no host"},
		{"redis://h:0", `port "0"`},
		{"redis://h:65536", `port "65536"`},
		{"redis://h:http", `port "http"`},
		{"redis://h:", `port ""`},
		{"redis://h1:7000,,h2:7001", "empty address"},
		{"redis://h1:7000,", "empty address"},
		{"redis://h:1:2", `"h:1:2": want host:port`},
		{"redis://:1", "invalid host"},
		{"redis://h/x", `database "x"`},
		{"redis://h/-1", `database "-1"`},
		{"redis://h/0/1", `database "0/1"`},
		{"redis://h?db=1", `unknown query parameter "db"`},
		{"redis://h?master=", "empty master name"},
		{"redis://h?master=a&master=b", `"master" given 2 times`},
		{"redis://h?cluster=maybe", `cluster="maybe"`},
		{"redis://h?master=m&cluster=true", "exclude each other"},
		{"redis://h?sentinel_password=x", "without master"},
		{"redis://h1,h2/1", "only database 0"},
		{"redis://h?cluster=true/1", "cluster="},
		{"redis://h#frag", "unexpected fragment"},
		{"redis://h?a=%zz", "malformed query"},
		{"redis://us%zzer:pw@h", "malformed user info"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			_, err := parseURL(c.url)
			if err == nil {
				t.Fatalf("parseURL = nil error, want one mentioning %q", c.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not mention %q", msg, c.want)
			}
			if !strings.HasPrefix(msg, "redisstore: invalid Redis URL") {
				t.Errorf("error %q does not start with the package and subject", msg)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"redis://h:6379", "redis://h:6379"},
		{"redis://bot@h", "redis://bot@h"},
		{"redis://:s3cret@h:6379/1", "redis://:xxxxx@h:6379/1"},
		{"redis://bot:s3cret@h1,h2", "redis://bot:xxxxx@h1,h2"},
		{"redis://bot:s3c@ret@h", "redis://bot:xxxxx@h"},
		{"redis://h?master=m&sentinel_password=s3cret", "redis://h?master=m&sentinel_password=xxxxx"},
		{"redis://h?sentinel_password=s3cret&master=m", "redis://h?sentinel_password=xxxxx&master=m"},
		{"redis://:a@h?sentinel_password=b&sentinel_password=c", "redis://:xxxxx@h?sentinel_password=xxxxx&sentinel_password=xxxxx"},
		{"not a url", "not a url"},
	}
	for _, c := range cases {
		if got := redact(c.in); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Errors never carry the passwords.
	for _, u := range []string{
		"redis://:s3cret@h:bad",
		"redis://bot:s3cret@h?master=m&sentinel_password=s3cret&bogus=1",
	} {
		_, err := parseURL(u)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("parseURL(%q) error = %v, want an error without the password", u, err)
		}
	}
}
