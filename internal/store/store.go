// Package store defines how Probity keeps its state. Backends live in child packages
// (sqlite, postgres) and pass the one conformance suite in storetest; no business rule
// lives in a backend.
//
// The contract has one static shape: Store reads outside any transaction, View runs a
// read-only transaction over a consistent snapshot, and Update runs a write transaction
// that reaches every area of the state. A backend satisfies the whole contract or does not
// compile; nothing is discovered by type assertion at run time.
package store

import (
	"context"

	"github.com/probity-dev/probity"
)

// Library is every control and framework that one account sees (its own custom ones and
// the standard ones every account shares), in name order.
type Library struct {
	Controls   []probity.Control
	Frameworks []probity.Framework
	// Rules are the account's custom rules, in name order (none are shared).
	Rules []probity.CustomRule
	// Mappings are the account's finding mappings, in name order (none are shared).
	Mappings []probity.FindingMapping

	// ContentDigests is set only on a library read by LibraryOutline, and marks it as an
	// outline: its controls hold only ID, Type, Name, AccountID, ManagedBy and
	// SourceDigest, and their data sources only when one of them may name a custom rule
	// (every control whose sources name one has them; others may too). ContentDigests
	// holds each control's probity.ContentDigest, by id, as recorded when it was last
	// written. Frameworks, rules and mappings are whole.
	ContentDigests map[string]string
}

// Outline reports whether the library is an outline (see ContentDigests).
func (l *Library) Outline() bool { return l != nil && l.ContentDigests != nil }

// Reader reads every area of the state. Outside a transaction each call reads the latest
// committed state on its own; inside View or Update all calls see one state.
type Reader interface {
	LibraryReader
	RevisionReader
	Lister
	AccountReader
	ShareReader
	NotificationReader
	CatalogFileReader
	KeyReader
	AssessmentReader
	EvidenceReader
	InsightReader
	UploadReader
	ReportReader
	SessionReader
}

// Tx is a write transaction over every area. Its reads see its own writes.
type Tx interface {
	Reader
	LibraryWriter
	AccountWriter
	ShareWriter
	NotificationWriter
	CatalogFileWriter
	KeyWriter
	AssessmentWriter
	EvidenceWriter
	UploadWriter
	ReportWriter
	SessionWriter
}

// Store is the state with its transactions.
type Store interface {
	Reader
	// View runs fn in a read-only transaction: every read in fn sees the same committed
	// state, however long fn takes and whatever is written meanwhile. It returns fn's
	// error unchanged.
	View(ctx context.Context, fn func(Reader) error) error
	// Update runs fn in one write transaction that first takes the lock of the area
	// named, so that writers of the same area are serialised while writers of other
	// areas proceed (LockNone takes no lock: for writes that are single statements or
	// guard themselves, such as a status changed by compare-and-set). It commits when fn
	// returns nil and rolls back otherwise, returning fn's error unchanged.
	//
	// A backend may run the fns of several concurrent Updates of an area one after another
	// in one transaction and commit them together (group commit). Each fn then sees the
	// writes of those before it, as it would had they committed first; when one fails, its
	// writes are rolled back and the others' are not, and Update returns nil only once they
	// are durable. To roll back one fn's writes the backend may roll back the whole group
	// and run the others' fns again in a new transaction: fn may be called more than once,
	// each time in a new transaction, and only the last call's writes count.
	// fn must therefore be safe to call again: it may set what its caller reads afterwards
	// (by assignment, not by appending), but must not consume its input nor act outside tx;
	// the caller acts on the outcome once Update has returned.
	//
	// fn may run on another goroutine than its caller's, and must not end that goroutine
	// (runtime.Goexit, t.FailNow). A panic in fn rolls back fn's writes and returns as
	// Update's error. When ctx ends before fn has begun, Update returns ctx's error and fn
	// does not run; when it ends while fn runs, fn's writes roll back.
	Update(ctx context.Context, lock Lock, fn func(Tx) error) error
	// Close releases the store's connections.
	Close() error
}

// Lock names an area whose writers are serialised. A transaction that reads an area to
// decide what to write there (a plan, a quota, a settings change) takes its lock.
type Lock uint8

// The areas. Evidence and assessments get areas of their own, so that their writes
// never wait behind a catalog apply.
const (
	// LockNone takes no lock.
	LockNone Lock = iota
	// LockLibrary serialises writers of controls, frameworks and the catalog's files.
	LockLibrary
	// LockAccounts serialises writers of account status and settings.
	LockAccounts
	// LockShares serialises writers of framework share requests.
	LockShares
	// LockAssessments serialises writers of assessments, their delegations and change logs.
	LockAssessments
)

// String returns the area's name.
func (l Lock) String() string {
	switch l {
	case LockNone:
		return "none"
	case LockLibrary:
		return "library"
	case LockAccounts:
		return "accounts"
	case LockShares:
		return "shares"
	case LockAssessments:
		return "assessments"
	}
	return "unknown"
}

// LibraryReader reads the control and framework libraries. Each read is for one account:
// it sees that account's entries and the standard ones (AccountID empty), never another
// account's, which answer ENOTFOUND as if they did not exist.
type LibraryReader interface {
	// Library returns the account's whole library.
	Library(ctx context.Context, account string) (*Library, error)
	// LibraryOutline returns the account's library as Library does, with each control
	// read only as far as a catalog plan needs to tell whether it changed (see
	// Library.ContentDigests): a small row per control instead of the whole control.
	LibraryOutline(ctx context.Context, account string) (*Library, error)
	// Control returns the control with the id, or an ENOTFOUND error.
	Control(ctx context.Context, account, id string) (*probity.Control, error)
	// FindControls returns up to f.Limit controls of f.AccountID's library that match f,
	// in byte order of name then id, after (f.AfterName, f.AfterID).
	FindControls(ctx context.Context, f ControlFilter) ([]probity.Control, error)
	// Framework returns the framework with the id, or an ENOTFOUND error.
	Framework(ctx context.Context, account, id string) (*probity.Framework, error)
	// CustomRules returns the account's custom rules, in name order; none is not an
	// error.
	CustomRules(ctx context.Context, account string) ([]probity.CustomRule, error)
	// FindingMappings returns the account's finding mappings, in name order; none is
	// not an error.
	FindingMappings(ctx context.Context, account string) ([]probity.FindingMapping, error)
}

// LibraryWriter changes the control and framework libraries.
type LibraryWriter interface {
	// PutControls inserts or replaces controls by id, each in its AccountID's library. It
	// returns an ECONFLICT error when another control of the same type has the same name
	// in that library, or the id belongs to another account.
	PutControls(ctx context.Context, cs []*probity.Control) error
	// DeleteControls deletes the account's controls by id; it returns an ECONFLICT error
	// when a framework still uses one, and ENOTFOUND when one is not the account's.
	DeleteControls(ctx context.Context, account string, ids []string) error
	// PutFrameworks inserts or replaces frameworks by id, control sets included, each in
	// its AccountID's library. It returns an ECONFLICT error for a duplicate name or an id
	// of another account, and an EINVALID error when a control set lists a control that
	// does not exist. Whether the account may use each control is the caller's to check.
	PutFrameworks(ctx context.Context, fs []*probity.Framework) error
	// DeleteFrameworks deletes the account's frameworks by id; ENOTFOUND when one is not
	// the account's.
	DeleteFrameworks(ctx context.Context, account string, ids []string) error
	// PutCustomRules inserts or replaces custom rules by id, each in its AccountID's
	// library. It returns an ECONFLICT error when another rule of that library has the
	// same name, or the id belongs to another account.
	PutCustomRules(ctx context.Context, rs []*probity.CustomRule) error
	// DeleteCustomRules deletes the account's custom rules by id; ENOTFOUND when one is
	// not the account's. Whether a control still names one is the caller's to check.
	DeleteCustomRules(ctx context.Context, account string, ids []string) error
	// PutFindingMappings inserts or replaces finding mappings by id, each in its
	// AccountID's library. It returns an ECONFLICT error when another mapping of that
	// library has the same name, or the id belongs to another account.
	PutFindingMappings(ctx context.Context, ms []*probity.FindingMapping) error
	// DeleteFindingMappings deletes the account's finding mappings by id; ENOTFOUND when
	// one is not the account's.
	DeleteFindingMappings(ctx context.Context, account string, ids []string) error
}
