package sqlstore

import "github.com/probity-dev/probity/internal/store"

// Waiting returns how many Updates of the area wait in its queue, not yet taken by a group.
func (db *DB) Waiting(lock store.Lock) int {
	q := db.queue(lock)
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}
