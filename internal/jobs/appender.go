package jobs

import (
	"context"
	"time"
)

// Key identifies one collection's batch of evidence in the ledger: the assessment, the
// control set and control, the source, the resource (empty: the batch holds every resource
// of the collection) and the collection window.
type Key struct {
	AssessmentID string
	ControlSetID string
	ControlID    string
	SourceID     string
	Resource     string
	WindowStart  time.Time
	WindowEnd    time.Time
}

// Batch is what one collection appends to the ledger.
type Batch[E any] struct {
	Account      string
	AssessmentID string
	Key          Key
	Items        []E
}

// Result is what the ledger did with a batch.
type Result struct {
	// Appended is how many items this batch added to the ledger.
	Appended int
	// Duplicate says the key had been appended before: nothing was added, and Appended is
	// the first append's count.
	Duplicate bool
}

// Appender appends evidence to the ledger. The evidence ledger implements it.
type Appender[E any] interface {
	// Append appends the batch's items in one transaction, all or none. A batch whose Key
	// was appended before appends nothing and returns the first append's result with
	// Duplicate set, so a retried collection never duplicates evidence. It returns an error
	// when nothing was appended, or when it cannot tell (the runner then retries, which
	// the key makes safe).
	Append(ctx context.Context, b Batch[E]) (Result, error)
}
