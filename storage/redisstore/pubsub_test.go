package redisstore

import (
	"context"
	"testing"
	"time"
)

func TestPublishSubscribe(t *testing.T) {
	s := openShared(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs := s.Subscribe(ctx, "kb")
	// Subscribing is asynchronous: publish until the subscriber hears it.
	deadline := time.After(5 * time.Second)
	for {
		if err := s.Publish(ctx, "kb", "version:7"); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-msgs:
			if got != "version:7" {
				t.Fatalf("got %q, want version:7", got)
			}
			cancel()
			for range msgs { // closed after cancel
			}
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no message within 5 s")
		}
	}
}
