package jobs

import (
	"context"

	"github.com/probity-dev/probity/internal/evidence"
)

// Appender appends evidence to the ledger; *evidence.Ledger implements it.
type Appender interface {
	// Append appends the batch's items in one transaction, all or none. A batch whose Key
	// was appended before appends nothing and returns the first append's result with
	// Duplicate set, so a retried collection never duplicates evidence. It returns an error
	// when nothing was appended, or when it cannot tell (the runner then retries, which
	// the key makes safe).
	Append(ctx context.Context, b evidence.Batch) (evidence.Result, error)
}
