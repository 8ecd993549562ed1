package inventory

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/probity-dev/probity/internal/ci"
)

// Snapshot is what one collection of one account and region yields, in the shape that
// internal/ci decodes and `probity rules eval` reads: {"account": {...}, "items": [CI...]}.
// Skipped names the parts that could not be collected (an API the endpoint does not
// implement, a call the role may not make); their facts are absent, so rules that need
// them give no result rather than a wrong one.
type Snapshot struct {
	// Account holds the account facts by key (docs/rules.md); a key present with a nil
	// value is a fact (no password policy, no organisation).
	Account map[string]any
	Items   []Item
	Skipped []Skip
	// FromConfig lists the resource types whose items were read from AWS Config
	// (Inventory.Source); the others, and every fact, come from the describe and list
	// APIs.
	FromConfig []string
}

// Skip records one part of a collection that was left out, and why.
type Skip struct {
	Part  string `json:"part"`
	Error string `json:"error"`
}

// Item is one configuration item in the snapshot dialect of AWS Config
// (configurationItemVersion, awsAccountId, ARN).
type Item struct {
	Version       string                     `json:"configurationItemVersion"`
	CaptureTime   string                     `json:"configurationItemCaptureTime"`
	Status        string                     `json:"configurationItemStatus"`
	StateID       string                     `json:"configurationStateId,omitempty"`
	AccountID     string                     `json:"awsAccountId"`
	ARN           string                     `json:"ARN,omitempty"`
	ResourceType  string                     `json:"resourceType"`
	ResourceID    string                     `json:"resourceId"`
	ResourceName  string                     `json:"resourceName,omitempty"`
	Region        string                     `json:"awsRegion"`
	Zone          string                     `json:"availabilityZone,omitempty"`
	Created       string                     `json:"resourceCreationTime,omitempty"`
	Tags          map[string]string          `json:"tags,omitempty"`
	Relationships []ci.Relationship          `json:"relationships,omitempty"`
	Configuration json.RawMessage            `json:"configuration"`
	Supplementary map[string]json.RawMessage `json:"supplementaryConfiguration,omitempty"`
}

// WriteTo writes the snapshot as JSON, account first (VPC_FLOW_LOGS_ENABLED reads the
// facts while it reads the items), then items in a stable order (type, id), then what
// was skipped. It returns the bytes written and the writer's or the encoder's error.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	items := make([]Item, len(s.Items))
	copy(items, s.Items)
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].ResourceType != items[j].ResourceType {
			return items[i].ResourceType < items[j].ResourceType
		}
		return items[i].ResourceID < items[j].ResourceID
	})
	account := s.Account
	if account == nil {
		account = map[string]any{}
	}
	skipped := s.Skipped
	if skipped == nil {
		skipped = []Skip{}
	}
	// encoding/json writes map keys sorted, and the struct's members in order.
	err := json.NewEncoder(cw).Encode(struct {
		Account    map[string]any `json:"account"`
		Items      []Item         `json:"items"`
		Skipped    []Skip         `json:"skipped"`
		FromConfig []string       `json:"fromConfig,omitempty"`
	}{account, items, skipped, s.FromConfig})
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
