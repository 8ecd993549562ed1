package pipeline

import (
	"context"
	"time"
)

// Poll is the Watch of a source that has no events of its own: it says the source is
// healthy, then signals a change every interval until ctx ends, and returns nil.
func Poll(ctx context.Context, sig *Signal, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	sig.Healthy()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			sig.Changed(nil)
		}
	}
}
