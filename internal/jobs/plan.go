package jobs

import (
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
)

// Collection is one automated data source of one control of an ACTIVE assessment, as the
// assessment snapshotted it: what a collection job collects, window after window.
type Collection = assess.Collection

// Filter narrows the collections a Plan lists. Empty fields match everything.
type Filter = assess.CollectionFilter

// Plan lists what is to be collected; *assess.Service implements it.
type Plan interface {
	// Collections returns every data source of every control of the ACTIVE assessments
	// that f matches, sources of every type included (the runner skips those it never
	// collects, such as MANUAL). An assessment that is not ACTIVE contributes nothing. It
	// returns an error only when the assessments cannot be read.
	Collections(ctx context.Context, f Filter) ([]Collection, error)
}

// Collected reports whether the runner collects sources of type t: AWS_Config,
// AWS_Security_Hub, AWS_Cloudtrail and AWS_API_Call. MANUAL evidence is imported by people,
// and Common_Control and Core_Control are only ever expanded into other sources.
func Collected(t probity.SourceType) bool {
	switch t {
	case probity.SourceTypeConfig, probity.SourceTypeSecurityHub, probity.SourceTypeCloudTrail, probity.SourceTypeAPICall:
		return true
	}
	return false
}
