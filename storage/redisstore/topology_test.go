package redisstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"fazhibot/storage/storetest"
)

// TestSentinel runs the contract through a real Sentinel in front of a
// private master, reached by a ?master= URL.
func TestSentinel(t *testing.T) {
	master := newRedisServer(t)
	master.start()

	sentinel := newRedisServer(t)
	conf := filepath.Join(sentinel.dir, "sentinel.conf")
	// Sentinel rewrites its configuration file, so it gets its own.
	body := fmt.Sprintf("sentinel monitor primary %s %s 1\nsentinel down-after-milliseconds primary 60000\n",
		"127.0.0.1", master.port)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel.args = append([]string{conf, "--sentinel"}, sentinel.args...)
	sentinel.start()

	url := "redis://" + sentinel.addr() + "?master=primary"
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := openAt(t, url, []string{master.addr()})
		return storetest.Harness{Store: s, Tokens: s.TokenCache(), Wait: time.Sleep}
	})
}

// TestCluster runs the contract against a real three-node Redis Cluster,
// reached by a URL listing the seed nodes.
func TestCluster(t *testing.T) {
	nodes := make([]*redisServer, 3)
	addrs := make([]string, len(nodes))
	for i := range nodes {
		nodes[i] = newRedisServer(t, "--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")
		nodes[i].start()
		addrs[i] = nodes[i].addr()
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		requireOrSkip(t, "redis-cli is not installed: "+err.Error())
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, a := range addrs {
		c := rawClient(t, a)
		err := eventually(15*time.Second, func() error {
			info, err := c.ClusterInfo(context.Background()).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return fmt.Errorf("cluster state of %s is not ok yet", a)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	url := "redis://" + strings.Join(addrs, ",")
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := openAt(t, url, addrs)
		if _, ok := s.rdb.(*redis.ClusterClient); !ok {
			t.Fatalf("client = %T, want *redis.ClusterClient", s.rdb)
		}
		return storetest.Harness{Store: s, Tokens: s.TokenCache(), Wait: time.Sleep}
	})
}
