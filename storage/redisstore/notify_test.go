package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"fazhibot/notify"
	"fazhibot/storage/storetest"
)

func TestNotifyContract(t *testing.T) {
	url := sharedURL(t)
	storetest.RunNotify(t, func(t *testing.T) notify.Store {
		return openAt(t, url, []string{sharedAddr}).NotifyStore()
	})
}

// TestNotifyKeyLayout checks that every key the NotifyStore writes expires
// within notify.Window plus notify.Grace of the question, and that the
// question index names questions, never OpenIDs.
func TestNotifyKeyLayout(t *testing.T) {
	s := openAt(t, sharedURL(t), []string{sharedAddr})
	raw := rawClient(t, sharedAddr)
	ctx := context.Background()
	ns := s.NotifyStore()
	const openID = "oOPENID-layout"
	if err := ns.Add(ctx, "社保怎么交", notify.Pending{OpenID: openID, Question: "社保怎么交？", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	keys, err := raw.Keys(ctx, s.prefix+"notify:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("keys = %v, want a bucket, a user set and the index", keys)
	}
	for _, k := range keys {
		ttl, err := raw.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > notify.Window+notify.Grace {
			t.Errorf("TTL of %s = %v, want within (0, %v]", k, ttl, notify.Window+notify.Grace)
		}
	}
	members, err := raw.ZRange(ctx, s.prefix+"notify:keys", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 1 || members[0] != "社保怎么交" || strings.Contains(strings.Join(members, ""), openID) {
		t.Fatalf("index members = %v, want the question key only", members)
	}
}
