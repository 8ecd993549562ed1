package catalog

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// Action is what a change does.
type Action string

// Actions.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Change is one control or framework the plan creates, updates or deletes.
type Change struct {
	Action  Action   `json:"action"`
	Kind    string   `json:"kind"` // Control, Framework, Rule or Mapping
	Name    string   `json:"name"`
	ID      string   `json:"id"`
	Path    string   `json:"path,omitempty"`    // the file that declares it; empty for deletes
	Members []string `json:"members,omitempty"` // for updates: the members that change
}

// Plan is the difference between the files and the library.
type Plan struct {
	Changes   []Change `json:"changes"` // never nil from MakePlan
	Unchanged int      `json:"unchanged"`

	putControls      []*probity.Control
	putFrameworks    []*probity.Framework
	deleteControls   []string
	deleteFrameworks []string
	putRules         []*probity.CustomRule
	deleteRules      []string
	putMappings      []*probity.FindingMapping
	deleteMappings   []string

	before   *store.Library // the library the plan was applied to, when Apply was given one
	after    *store.Library // before with the plan made, once Library has made it
	afterRev int64          // the revision after the plan was applied to before
}

// ErrLibraryMoved is returned by MakePlan and Apply when a catalog loaded against an
// outline of the library (LoadKnown with a store.Library read by LibraryOutline) is
// planned against a library in which a control its unchanged files stand for has
// changed since: the files must be loaded again (which LoadKnown does from the files).
// Apply also returns it when its transaction must run again (store.Store.Update) after
// the first run used up the documents (Options.Consume).
var ErrLibraryMoved = &probity.Error{Code: probity.ECONFLICT, Message: "the library changed while the catalog was read; read it again"}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Count returns how many changes of the action the plan holds.
func (p *Plan) Count(a Action) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}

// Options says whose files these are and how to treat what they no longer hold.
type Options struct {
	// Source names the owner of the files ("files" for the CLI, a bucket or repository
	// URL for a pipeline source). New controls and frameworks are marked as managed by
	// it, and Prune deletes only what it manages.
	Source string
	// Prune deletes the controls and frameworks the source manages that the files no
	// longer define.
	Prune bool
	// Partition names the account whose library the files are applied to, and the region
	// of the ARNs made; zero means probity.DefaultPartition.
	Partition probity.Partition
	// Actor is recorded as createdBy and lastUpdatedBy.
	Actor string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// InTransaction, when set, runs in Apply's transaction after the plan is carried out,
	// changes or none; its error rolls everything back.
	InTransaction func(ctx context.Context, tx store.Tx) error
	// Library, when set, is the account's library as it stood at LibraryRevision (see
	// store.RevisionReader). Apply then plans against it instead of reading the library
	// again, if the revision in its transaction is still LibraryRevision, and keeps the
	// library as its transaction leaves it for Plan.Library. Library is not modified.
	Library         *store.Library
	LibraryRevision int64
	// Plan, when set with Library, is what MakePlan made of the catalog against Library
	// with these options: Apply carries it out instead of planning again, if the
	// revision in its transaction is still LibraryRevision.
	Plan *Plan
	// Settled, when set with Library, holds control documents whose controls Library
	// holds exactly as they say: documents (from a Cache, so the same *Document for the
	// same file) of a catalog that an earlier Apply carried out, leaving Library at
	// LibraryRevision. MakePlan counts each unchanged without comparing it when it plans
	// against Library itself; against any other library (Apply's, when the revision
	// moved) it compares every document.
	Settled map[*Document]bool
	// KeepOutline makes Apply keep an outline Library too for Plan.Library (a whole
	// library is always kept): the outline after the plan, the controls it put whole.
	KeepOutline bool
	// Consume lets MakePlan take the catalog's control documents: a control it plans to
	// create or update is completed and normalized in its document's own Control
	// instead of a copy, so that a large catalog and its plan are not held at once.
	// MakePlan lets go of each control document once planned and leaves cat.Controls
	// empty. The catalog must then not be planned again; for a caller that plans or
	// applies it once, such as the CLI.
	Consume bool
}

func (o *Options) defaults() {
	if o.Source == "" {
		o.Source = "files"
	}
	if o.Partition == (probity.Partition{}) {
		o.Partition = probity.DefaultPartition
	}
	if o.Actor == "" {
		o.Actor = "probity"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// libraryIndex finds library entries by id and by type and name.
type libraryIndex struct {
	controls        map[string]*probity.Control // by id
	controlsByName  map[string][]*probity.Control
	frameworkByName map[string]*probity.Framework      // custom frameworks
	rules           map[string]*probity.CustomRule     // the account's custom rules, by name
	mappings        map[string]*probity.FindingMapping // the account's finding mappings, by name
}

func indexLibrary(lib *store.Library) *libraryIndex {
	ix := &libraryIndex{
		controls:        make(map[string]*probity.Control, len(lib.Controls)),
		controlsByName:  make(map[string][]*probity.Control, len(lib.Controls)),
		frameworkByName: map[string]*probity.Framework{},
		rules:           make(map[string]*probity.CustomRule, len(lib.Rules)),
		mappings:        make(map[string]*probity.FindingMapping, len(lib.Mappings)),
	}
	for i := range lib.Mappings {
		ix.mappings[lib.Mappings[i].Name] = &lib.Mappings[i]
	}
	for i := range lib.Rules {
		ix.rules[lib.Rules[i].Name] = &lib.Rules[i]
	}
	for i := range lib.Controls {
		c := &lib.Controls[i]
		ix.controls[c.ID] = c
		ix.controlsByName[c.Name] = append(ix.controlsByName[c.Name], c)
	}
	for i := range lib.Frameworks {
		if f := &lib.Frameworks[i]; f.Type == probity.FrameworkTypeCustom {
			ix.frameworkByName[f.Name] = f
		}
	}
	return ix
}

func (ix *libraryIndex) customControl(name string) *probity.Control {
	for _, c := range ix.controlsByName[name] {
		if c.Type == probity.ControlTypeCustom {
			return c
		}
	}
	return nil
}

// MakePlan compares the catalog with the library. It returns Diagnostics when a
// framework names a control that does not exist (or is ambiguous), and an ECONFLICT
// *probity.Error when pruning would delete a control that a framework still uses; the
// plan is then nil. lib may be empty (a nil Library means an empty one).
func MakePlan(cat *Catalog, lib *store.Library, opt Options) (*Plan, error) {
	opt.defaults()
	if lib == nil {
		lib = &store.Library{}
	}
	ix := indexLibrary(lib)
	now := opt.Now().UTC()
	p := &Plan{Changes: []Change{}} // a plan of no changes is an empty list in JSON, not null
	declaredRules, deletedRules := p.planRules(cat, ix, lib, opt, now)

	// Controls: matched to the library by name among custom controls.
	declared := make(map[string]*probity.Control, len(cat.Controls)) // by name, with ids
	settled := opt.Settled
	if opt.Library == nil || lib != opt.Library {
		settled = nil
	}
	var diags doc.Diagnostics
	for i, doc := range cat.Controls {
		// Custom rules the control names: in the files, else in the library and kept.
		for _, r := range doc.RuleRefs {
			if reason := resolveRule(r, declaredRules, ix.rules, deletedRules); reason != "" {
				r = placeRuleRef(doc.file(), r)
				diags = append(diags, r.problem(doc.Path, reason))
			}
		}
		if opt.Consume {
			// Let the document go once planned: its control, when put, is the plan's.
			cat.Controls[i] = nil
		}
		if settled[doc] {
			if have := ix.customControl(doc.Name()); have != nil {
				p.Unchanged++
				declared[have.Name] = have
				continue
			}
		}
		if doc.stubID != "" {
			// A stand-in for a file that still says what the library's control says.
			have := ix.customControl(doc.Name())
			if have == nil || have.ID != doc.stubID || libraryContent(lib, have) != doc.stubContent {
				return nil, ErrLibraryMoved
			}
			p.Unchanged++
			declared[have.Name] = have
			continue
		}
		if have := ix.customControl(doc.Control.Name); have != nil && recorded(lib, have, doc) {
			p.Unchanged++
			declared[have.Name] = have
			continue
		}
		want := doc.Control
		if !opt.Consume {
			c := *doc.Control
			c.ControlMappingSources = slices.Clone(c.ControlMappingSources)
			want = &c
		}
		if have := ix.customControl(want.Name); have != nil {
			want.ID, want.ARN, want.Type, want.State, want.AccountID = have.ID, have.ARN, have.Type, have.State, have.AccountID
			want.CreatedAt, want.CreatedBy, want.ManagedBy = have.CreatedAt, have.CreatedBy, have.ManagedBy
			want.LastUpdatedAt, want.LastUpdatedBy = have.LastUpdatedAt, have.LastUpdatedBy
			want.SourceDigest = have.SourceDigest
			want.Normalize()
			if diff := want.Diff(have); len(diff) > 0 {
				want.LastUpdatedAt, want.LastUpdatedBy = now, opt.Actor
				want.SourceDigest = sourceDigest(doc.Digest, want)
				p.putControls = append(p.putControls, want)
				p.Changes = append(p.Changes, Change{Action: Update, Kind: KindControl, Name: want.Name, ID: want.ID, Path: doc.Path, Members: diff})
			} else {
				// Unchanged: the library's control is the same, so the copy is not kept.
				p.Unchanged++
				declared[want.Name] = have
				continue
			}
		} else {
			want.ID = probity.NewID()
			want.ARN, want.AccountID = opt.Partition.ARN("control", want.ID), opt.Partition.AccountID
			want.CreatedAt, want.LastUpdatedAt = now, now
			want.CreatedBy, want.LastUpdatedBy = opt.Actor, opt.Actor
			want.ManagedBy = opt.Source
			want.Normalize()
			want.SourceDigest = sourceDigest(doc.Digest, want)
			p.putControls = append(p.putControls, want)
			p.Changes = append(p.Changes, Change{Action: Create, Kind: KindControl, Name: want.Name, ID: want.ID, Path: doc.Path})
		}
		declared[want.Name] = want
	}
	if opt.Consume {
		cat.Controls = nil
	}

	// Controls the source manages that the files no longer define.
	deleted := map[string]bool{}
	if opt.Prune {
		for i := range lib.Controls {
			c := &lib.Controls[i]
			if c.OwnedBy(opt.Source) && declared[c.Name] == nil {
				deleted[c.ID] = true
				p.deleteControls = append(p.deleteControls, c.ID)
				p.Changes = append(p.Changes, Change{Action: Delete, Kind: KindControl, Name: c.Name, ID: c.ID})
			}
		}
	}

	// Finding mappings: the controls they name resolved like framework references.
	diags = append(diags, p.planMappings(cat, ix, lib, opt, now, declared, deleted)...)

	// Frameworks: references resolved against the files, then the library.
	declaredFw := map[string]bool{}
	for _, doc := range cat.Frameworks {
		want := *doc.Framework
		want.ControlSets = make([]probity.ControlSet, len(doc.Framework.ControlSets))
		for i, cs := range doc.Framework.ControlSets {
			cs.Controls = nil
			for _, r := range doc.Refs[i] {
				id, d := resolve(r, declared, ix, deleted)
				if d != "" {
					diags = append(diags, r.problem(doc.Path, d))
					continue
				}
				cs.Controls = append(cs.Controls, id)
			}
			want.ControlSets[i] = cs
		}
		declaredFw[want.Name] = true
		if have := ix.frameworkByName[want.Name]; have != nil {
			want.ID, want.ARN, want.Logo, want.AccountID = have.ID, have.ARN, have.Logo, have.AccountID
			want.CreatedAt, want.CreatedBy, want.ManagedBy = have.CreatedAt, have.CreatedBy, have.ManagedBy
			want.LastUpdatedAt, want.LastUpdatedBy = have.LastUpdatedAt, have.LastUpdatedBy
			want.Normalize()
			if diff := want.Diff(have); len(diff) > 0 {
				want.LastUpdatedAt, want.LastUpdatedBy = now, opt.Actor
				p.putFrameworks = append(p.putFrameworks, &want)
				p.Changes = append(p.Changes, Change{Action: Update, Kind: KindFramework, Name: want.Name, ID: want.ID, Path: doc.Path, Members: diff})
			} else {
				p.Unchanged++
			}
		} else {
			want.ID = probity.NewID()
			want.ARN, want.AccountID = opt.Partition.ARN("assessmentFramework", want.ID), opt.Partition.AccountID
			want.CreatedAt, want.LastUpdatedAt = now, now
			want.CreatedBy, want.LastUpdatedBy = opt.Actor, opt.Actor
			want.ManagedBy = opt.Source
			want.Normalize()
			p.putFrameworks = append(p.putFrameworks, &want)
			p.Changes = append(p.Changes, Change{Action: Create, Kind: KindFramework, Name: want.Name, ID: want.ID, Path: doc.Path})
		}
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}

	var frameworksGone = map[string]bool{}
	if opt.Prune {
		for i := range lib.Frameworks {
			f := &lib.Frameworks[i]
			if f.OwnedBy(opt.Source) && !declaredFw[f.Name] {
				frameworksGone[f.ID] = true
				p.deleteFrameworks = append(p.deleteFrameworks, f.ID)
				p.Changes = append(p.Changes, Change{Action: Delete, Kind: KindFramework, Name: f.Name, ID: f.ID})
			}
		}
	}
	if err := checkInUse(p, lib, deleted, frameworksGone); err != nil {
		return nil, err
	}
	if err := checkRulesInUse(declared, lib, deleted, deletedRules); err != nil {
		return nil, err
	}
	slices.SortStableFunc(p.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), cmp.Compare(a.Name, b.Name))
	})
	return p, nil
}

func kindOrder(kind string) int {
	switch kind {
	case KindRule:
		return 0
	case KindControl:
		return 1
	case KindFramework:
		return 2
	}
	return 3
}

// resolve returns the id of the control a reference names, or the reason it names none.
func resolve(r Ref, declared map[string]*probity.Control, ix *libraryIndex, deleted map[string]bool) (string, string) {
	if r.ID != "" {
		if c := ix.controls[r.ID]; c != nil && !deleted[r.ID] {
			return r.ID, ""
		}
		if deleted[r.ID] {
			return "", fmt.Sprintf("control id %s is no longer defined in the files and would be deleted", r.ID)
		}
		return "", fmt.Sprintf("no control has id %s", r.ID)
	}
	if c := declared[r.Name]; c != nil {
		return c.ID, ""
	}
	var found []*probity.Control
	for _, c := range ix.controlsByName[r.Name] {
		if !deleted[c.ID] {
			found = append(found, c)
		}
	}
	if len(found) == 0 && len(ix.controlsByName[r.Name]) > 0 {
		return "", fmt.Sprintf("control %q is no longer defined in the files and would be deleted", r.Name)
	}
	switch len(found) {
	case 1:
		return found[0].ID, ""
	case 0:
		return "", noControlNamed(r.Name, declared, ix, deleted)
	default:
		types := make([]string, len(found))
		for i, c := range found {
			types[i] = string(c.Type) + " " + c.ID
		}
		return "", fmt.Sprintf("%q names more than one control (%s); refer to it by id", r.Name, strings.Join(types, ", "))
	}
}

// noControlNamed says that no control of the files (declared) or of the library, but
// those deleted, is named name, and names the closest that are.
func noControlNamed(name string, declared map[string]*probity.Control, ix *libraryIndex, deleted map[string]bool) string {
	names := make([]string, 0, len(declared)+len(ix.controlsByName))
	for n := range declared {
		names = append(names, n)
	}
	for n, cs := range ix.controlsByName {
		if declared[n] == nil && slices.ContainsFunc(cs, func(c *probity.Control) bool { return !deleted[c.ID] }) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	msg := fmt.Sprintf("no control is named %q", name)
	if near := doc.Closest(name, names, 3); len(near) > 0 {
		for i, n := range near {
			near[i] = quote(n)
		}
		msg += "; closest: " + strings.Join(near, ", ")
	}
	return msg
}

func quote(s string) string { return strconv.Quote(s) }

// checkInUse refuses a plan that deletes a control some framework would still use.
func checkInUse(p *Plan, lib *store.Library, deletedControls, deletedFrameworks map[string]bool) error {
	if len(deletedControls) == 0 {
		return nil
	}
	// The frameworks after the plan: the planned versions, else the library's.
	after := map[string]*probity.Framework{}
	for i := range lib.Frameworks {
		if f := &lib.Frameworks[i]; !deletedFrameworks[f.ID] {
			after[f.ID] = f
		}
	}
	for _, f := range p.putFrameworks {
		after[f.ID] = f
	}
	var conflicts []string
	for _, id := range p.deleteControls {
		for _, f := range after {
			if f.Uses(id) {
				name := id
				if i := slices.IndexFunc(lib.Controls, func(c probity.Control) bool { return c.ID == id }); i >= 0 {
					name = lib.Controls[i].Name
				}
				conflicts = append(conflicts, fmt.Sprintf("control %q is no longer in the files but framework %q still uses it", name, f.Name))
			}
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	slices.Sort(conflicts)
	return &probity.Error{Code: probity.ECONFLICT, Message: "refusing to prune: " + strings.Join(conflicts, "; ")}
}
