package store

import "github.com/probity-dev/probity"

// Who manages a control, as ControlFilter.ManagedBy names it.
const (
	ManagedByFile = "file" // a catalog source declares it (ManagedBy is set)
	ManagedByAPI  = "api"  // a custom control that no catalog source declares
)

// ControlFilter selects controls of one account's library: its own and the standard
// ones. Empty members select all.
type ControlFilter struct {
	AccountID  string
	Type       probity.ControlType
	SourceType probity.SourceType // the control has a data source of this type
	// TagKey, when set, is a tag the control has; with HasTagValue, with the value
	// TagValue.
	TagKey      string
	TagValue    string
	HasTagValue bool
	// Domain is the control's domain; probity.DomainUncategorized selects controls
	// without one.
	Domain string
	// ManagedBy is ManagedByFile or ManagedByAPI (standard content is managed by neither).
	ManagedBy string
	// Search is a part of the name or the description, matched without regard to the
	// case of ASCII letters.
	Search string
	// AfterName and AfterID, when AfterID is set, start the page after that control.
	AfterName, AfterID string
	// Limit bounds the controls returned; 0 or less means no bound.
	Limit int
}
