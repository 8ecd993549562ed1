package store

import (
	"context"
	"time"

	"github.com/probity-dev/probity"
)

// Cursor marks a place in a listing ordered by creation time, then id. The zero Cursor is
// the start.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// IsZero reports whether c is the start of the listing.
func (c Cursor) IsZero() bool { return c.ID == "" }

// ControlSummary is what a control listing shows of each control.
type ControlSummary struct {
	ID, ARN, Name, ControlSources string
	CreatedAt, LastUpdatedAt      time.Time
}

// FrameworkSummary is what a framework listing shows of each framework.
type FrameworkSummary struct {
	ID, ARN, Name, Description, Logo, ComplianceType string
	Type                                             probity.FrameworkType
	ControlSets, Controls                            int
	CreatedAt, LastUpdatedAt                         time.Time
}

// Page asks for at most Limit items of one type after a cursor.
type Page struct {
	Account string // whose library: its own entries and the standard ones
	Type    string // a probity.ControlType or probity.FrameworkType, for example Custom
	After   Cursor
	Limit   int
}

// Lister pages through the library without reading it whole.
type Lister interface {
	// ControlSummaries returns up to p.Limit controls of type p.Type that p.Account sees,
	// created after p.After, oldest first.
	ControlSummaries(ctx context.Context, p Page) ([]ControlSummary, error)
	// FrameworkSummaries is ControlSummaries for frameworks, with their counts of control
	// sets and controls.
	FrameworkSummaries(ctx context.Context, p Page) ([]FrameworkSummary, error)
	// CountControls returns how many controls of the type the account sees.
	CountControls(ctx context.Context, account string, typ probity.ControlType) (int, error)
	// CountFrameworks returns how many frameworks of the type the account sees.
	CountFrameworks(ctx context.Context, account string, typ probity.FrameworkType) (int, error)
}
