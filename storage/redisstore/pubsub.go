package redisstore

import (
	"context"
	"fmt"
)

// Publish sends message to every subscriber of channel (prefixed like
// keys). It returns an error when Redis is unreachable; subscribers that
// miss a message must catch up by other means.
func (s *Store) Publish(ctx context.Context, channel, message string) error {
	if err := s.rdb.Publish(ctx, s.key("chan:", channel), message).Err(); err != nil {
		return fmt.Errorf("redisstore: publish %s: %w", channel, err)
	}
	return nil
}

// Subscribe delivers the messages published on channel until ctx is done,
// then closes the returned channel. While Redis is unreachable it keeps
// reconnecting; messages published meanwhile are lost (Redis pub/sub keeps
// no backlog), so subscribers should also poll for what they care about.
// The returned channel drops messages when the reader falls behind by more
// than 16.
func (s *Store) Subscribe(ctx context.Context, channel string) <-chan string {
	out := make(chan string, 16)
	ps := s.rdb.Subscribe(ctx, s.key("chan:", channel))
	go func() {
		defer close(out)
		defer ps.Close()
		msgs := ps.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-msgs:
				if !ok {
					return
				}
				select {
				case out <- m.Payload:
				default:
				}
			}
		}
	}()
	return out
}
