package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/probity-dev/probity"
)

// AssessmentAccess implements store.AssessmentReader. Every call reads the body; one
// that reads a body it decoded before (the same bytes) reuses that decoding.
func (r reader) AssessmentAccess(ctx context.Context, account, id string) (*probity.Assessment, error) {
	a := probity.Assessment{AccountID: account}
	var status string
	var text []byte
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT id, name, status, body FROM assessments
		WHERE id = ? AND account_id = ?`), id, account).Scan(&a.ID, &a.Name, &status, &text)
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "assessment %s does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("get assessment: %w", err)
	}
	a.Status = probity.AssessmentStatus(status)
	body, err := r.db.access.decode(text)
	if err != nil {
		return nil, fmt.Errorf("assessment %s: body: %w", id, err)
	}
	body.domain(&a)
	if err := r.withDelegations(ctx, []*probity.Assessment{&a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// accessMemoSize bounds the bodies an accessMemo remembers: each is a few dozen bytes
// per control of the assessment.
const accessMemoSize = 256

// accessMemo remembers the access part of assessment bodies it decoded, by the SHA-256
// of the body's bytes: hashing a body costs a small fraction of decoding it with
// encoding/json, and a body that changed in any way has another hash, so a remembered
// decoding is never stale. The zero value is ready; it is safe for concurrent use. What
// it returns is shared and must not be changed (domain copies it).
type accessMemo struct {
	mu      sync.Mutex
	bodies  map[[sha256.Size]byte]*assessmentAccessBody
	decodes atomic.Int64 // bodies decoded, for tests
}

// decode returns the access part of the body text.
func (m *accessMemo) decode(text []byte) (*assessmentAccessBody, error) {
	sum := sha256.Sum256(text)
	m.mu.Lock()
	b, ok := m.bodies[sum]
	m.mu.Unlock()
	if ok {
		return b, nil
	}
	b = new(assessmentAccessBody)
	if err := json.Unmarshal(text, b); err != nil {
		return nil, err
	}
	m.decodes.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bodies == nil {
		m.bodies = map[[sha256.Size]byte]*assessmentAccessBody{}
	}
	if len(m.bodies) >= accessMemoSize {
		for k := range m.bodies { // forget one, any: bodies of changed assessments linger otherwise
			delete(m.bodies, k)
			break
		}
	}
	m.bodies[sum] = b
	return b, nil
}
