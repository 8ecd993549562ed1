package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/store"
)

// result is the outcome of one reconcile.
type result struct {
	changes  []notify.Change
	failures []notify.Failure // sorted by path
}

func (r *result) count(action string) int {
	n := 0
	for _, c := range r.changes {
		if c.Action == action {
			n++
		}
	}
	return n
}

// Which version of a file is in effect.
const (
	useCurrent  = iota // as the source holds it now
	useLastGood        // its last good version, kept from an earlier reconcile
)

type entry struct {
	data    []byte
	problem string // why the source's file could not be read; then data is empty
	rev     string
	use     int
}

// reconcileRun is the state of one reconcile: the file set being worked towards, and
// what went wrong on the way.
type reconcileRun struct {
	source   string
	lastGood map[string]store.CatalogFile
	effect   map[string]*entry // the files to apply, by path
	dropped  map[string]bool   // files taken out for good in this run
	restored map[string]bool   // deleted files kept in effect because they are in use
	problems map[string][]string
}

// reconcile brings the library in step with a snapshot of source. Files are applied as
// they stand when valid, else in their last good version, else not at all; problems
// that involve several files (a framework naming a control that is missing, two files
// with one name) take out the changed files first, and the set is checked again until
// it is consistent. Then it is applied in one transaction, with Prune, and the last good
// versions are saved. It returns an error only when the store fails.
func (p *Pipeline) reconcile(ctx context.Context, source string, snap *Snapshot) (*result, error) {
	// Another writer may change the library between the check and the transaction;
	// Apply re-plans inside it and refuses, and the check runs again.
	var last error
	for range 3 {
		res, err := p.reconcileOnce(ctx, source, snap)
		if err == nil {
			return res, nil
		}
		var diags doc.Diagnostics
		if !errors.As(err, &diags) && probity.ErrorCode(err) != probity.ECONFLICT {
			return nil, err
		}
		last = err
	}
	return nil, fmt.Errorf("reconcile %s: the library kept changing: %w", source, last)
}

func (p *Pipeline) reconcileOnce(ctx context.Context, source string, snap *Snapshot) (*result, error) {
	mem := p.memory(source)
	lib, rev, err := p.library(ctx)
	if err != nil {
		return nil, err
	}
	kept, err := mem.lastGood(ctx, p.cfg.Store, source, rev)
	if err != nil {
		return nil, err
	}
	// Whatever fails from here on may leave what is kept behind the store: start the
	// next reconcile from the store.
	ok := false
	defer func() {
		if !ok {
			p.forget()
		}
	}()
	run := &reconcileRun{
		source:   source,
		lastGood: make(map[string]store.CatalogFile, len(kept)),
		effect:   make(map[string]*entry, len(snap.Files)),
		dropped:  map[string]bool{},
		restored: map[string]bool{},
		problems: map[string][]string{},
	}
	for _, f := range snap.Files {
		run.effect[f.Path] = &entry{data: f.Data, problem: f.Problem, rev: f.Revision, use: useCurrent}
	}
	for i, f := range kept {
		// A last good file read from the store that the source still holds as it is
		// shares the source's bytes, so that the store's copy can go at once.
		if e := run.effect[f.Path]; e != nil && e.problem == "" && bytes.Equal(e.data, f.Data) {
			f.Data = e.data
			kept[i].Data = e.data
		}
		run.lastGood[f.Path] = f
	}
	opts := catalog.Options{Source: source, Prune: true, Actor: p.cfg.Actor, Now: p.cfg.Now, Partition: p.cfg.Partition,
		Library: lib, LibraryRevision: rev, Settled: mem.settledFor(lib), KeepOutline: true}

	var cat *catalog.Catalog
	var blocked error
	// Each round drops, reverts or restores at least one file, each at most once.
	for rounds := 0; ; rounds++ {
		if rounds > 3*(len(run.effect)+len(run.lastGood))+3 {
			return nil, fmt.Errorf("reconcile %s: no consistent set of files found", source)
		}
		var diags doc.Diagnostics
		// Unchanged control files stand for the library's controls (small documents,
		// kept so in the parse cache) instead of being parsed.
		cat, diags = catalog.LoadCachedKnown(run.files(), &mem.parsed, lib)
		diags = append(diags, run.ownership(cat, lib)...)
		if len(diags) > 0 {
			run.takeOut(diags)
			continue
		}
		if run.keepInUse(cat, lib) {
			continue
		}
		// The controls that documents would change are read whole into the outline;
		// when the library moved meanwhile, the plan is made against what it is now, and
		// Apply makes it again in its transaction.
		if err := p.cfg.Store.View(ctx, func(r store.Reader) error {
			now, nowRev, err := catalog.CompleteLibrary(ctx, r, p.cfg.Partition.AccountID, cat, lib, rev, opts.Settled)
			if err == nil && (now != lib || nowRev != rev) {
				lib, rev = now, nowRev
				opts.Library, opts.LibraryRevision, opts.Settled = lib, rev, mem.settledFor(lib)
			}
			return err
		}); err != nil {
			return nil, err
		}
		plan, err := catalog.MakePlan(cat, lib, opts)
		opts.Plan = plan
		var pd doc.Diagnostics
		switch {
		case errors.As(err, &pd):
			run.takeOut(pd)
			continue
		case errors.Is(err, catalog.ErrLibraryMoved):
			// A stand-in's control changed since the files were loaded: load them again
			// against the library as it is now (reconcile tries again).
			return nil, err
		case err != nil:
			// A refusal the files cannot be adjusted for (the store has no last good
			// version of what would be pruned): apply nothing, report it.
			blocked = err
		}
		break
	}

	res := &result{}
	if blocked == nil {
		// The files in effect become the last good versions in the transaction that
		// applies them: a crash leaves both old or both new.
		var saved []store.CatalogFile
		opts.InTransaction = func(ctx context.Context, tx store.Tx) (err error) {
			saved, err = run.save(ctx, tx, p.cfg.Now)
			return err
		}
		plan, err := catalog.Apply(ctx, p.cfg.Store, cat, opts)
		if err != nil {
			return nil, err
		}
		res.changes = run.changes(plan, snap.Revision)
		lib, rev, _ = plan.Library()
		p.lib, p.libRev = lib, rev
		mem.keep(saved, rev)
		mem.settle(cat, lib)
	}
	res.failures = run.failures(blocked)
	ok = true
	return res, nil
}

// files returns the files in effect, in path order.
func (run *reconcileRun) files() []doc.File {
	paths := slices.Sorted(maps.Keys(run.effect))
	out := make([]doc.File, len(paths))
	for i, p := range paths {
		out[i] = doc.File{Path: p, Data: run.effect[p].data, Problem: run.effect[p].problem}
	}
	return out
}

// changed reports whether the file at path is in effect in a version other than its
// last good one.
func (run *reconcileRun) changed(path string) bool {
	e := run.effect[path]
	lg, ok := run.lastGood[path]
	return e != nil && e.use == useCurrent && (!ok || e.problem != "" || !bytes.Equal(lg.Data, e.data))
}

// takeOut handles the files with problems: each changed one goes back to its last good
// version, or out when it has none. When only unchanged files have problems, they go
// out (their definitions clash with the library now).
func (run *reconcileRun) takeOut(diags doc.Diagnostics) {
	byPath := map[string][]string{}
	for _, d := range diags {
		byPath[d.Path] = append(byPath[d.Path], d.String())
	}
	var changed, all []string
	for path := range byPath {
		if run.effect[path] == nil {
			continue
		}
		all = append(all, path)
		if run.changed(path) {
			changed = append(changed, path)
		}
	}
	targets := changed
	if len(targets) == 0 {
		targets = all
	}
	for _, path := range targets {
		run.problems[path] = appendNew(run.problems[path], byPath[path]...)
		e := run.effect[path]
		if lg, ok := run.lastGood[path]; ok && e.use == useCurrent && (e.problem != "" || !bytes.Equal(lg.Data, e.data)) {
			e.data, e.problem, e.rev, e.use = lg.Data, "", lg.Revision, useLastGood
			continue
		}
		delete(run.effect, path)
		run.dropped[path] = true
	}
}

// ownership reports the documents whose names the library already holds for another
// owner: another source, another tool or the API. Taking them over would move a control
// from one source to another behind its owner's back.
func (run *reconcileRun) ownership(cat *catalog.Catalog, lib *store.Library) doc.Diagnostics {
	owner := map[string]string{}
	for _, c := range lib.Controls {
		if c.Type == probity.ControlTypeCustom {
			owner[catalog.KindControl+"\x00"+c.Name] = c.ManagedBy
		}
	}
	for _, f := range lib.Frameworks {
		if f.Type == probity.FrameworkTypeCustom {
			owner[catalog.KindFramework+"\x00"+f.Name] = f.ManagedBy
		}
	}
	for _, r := range lib.Rules {
		owner[catalog.KindRule+"\x00"+r.Name] = r.ManagedBy
	}
	for _, m := range lib.Mappings {
		owner[catalog.KindMapping+"\x00"+m.Name] = m.ManagedBy
	}
	var out doc.Diagnostics
	check := func(dc *catalog.Document) {
		other, ok := owner[dc.Kind+"\x00"+dc.Name()]
		if !ok || other == run.source {
			return
		}
		by := probity.OwnerName(other)
		out = append(out, doc.Diagnostic{Path: dc.Path, Pos: namePos(run.effect[dc.Path].data), Field: "name",
			Reason: fmt.Sprintf("%s name %q is already defined by %s", strings.ToLower(dc.Kind), dc.Name(), by)})
	}
	for _, d := range cat.Controls {
		check(d)
	}
	for _, d := range cat.Frameworks {
		check(d)
	}
	for _, d := range cat.Rules {
		check(d)
	}
	for _, d := range cat.Mappings {
		check(d)
	}
	return out
}

// keepInUse keeps in effect the last good version of each file whose controls the
// files would no longer define while a framework still uses them: deleting a file, or
// taking a control out of it, must not break a framework. It reports whether it changed
// the file set.
func (run *reconcileRun) keepInUse(cat *catalog.Catalog, lib *store.Library) bool {
	declared := map[string]bool{}
	for _, d := range cat.Controls {
		declared[d.Name()] = true
	}
	declaredFw := map[string]bool{}
	for _, d := range cat.Frameworks {
		declaredFw[d.Name()] = true
	}
	var definedBy map[string]string // control name -> last good path, read when needed
	changed := false
	for _, c := range lib.Controls {
		if !c.OwnedBy(run.source) || declared[c.Name] {
			continue
		}
		users := run.users(c, cat, lib, declaredFw)
		if len(users) == 0 {
			continue
		}
		if definedBy == nil {
			definedBy = run.lastGoodControls()
		}
		path, ok := definedBy[c.Name]
		if !ok || run.dropped[path] || run.restored[path] {
			continue // MakePlan refuses the prune and says why
		}
		lg := run.lastGood[path]
		used := fmt.Sprintf("control %q is still used by framework %s", c.Name, quoteAll(users))
		switch e := run.effect[path]; {
		case e == nil:
			run.effect[path] = &entry{data: lg.Data, rev: lg.Revision, use: useLastGood}
			run.restored[path] = true
			run.problems[path] = appendNew(run.problems[path], path+": file deleted, but "+used+"; its last good version stays in effect")
			changed = true
		case e.use == useCurrent:
			e.data, e.rev, e.use = lg.Data, lg.Revision, useLastGood
			run.problems[path] = appendNew(run.problems[path], path+": no longer defines a control that is in use: "+used+"; its last good version stays in effect")
			changed = true
		}
	}
	return changed
}

// users returns the names of the frameworks that would still use control c after the
// plan: those in the files, and those in the library that the plan keeps as they are.
func (run *reconcileRun) users(c probity.Control, cat *catalog.Catalog, lib *store.Library, declaredFw map[string]bool) []string {
	var users []string
	for _, d := range cat.Frameworks {
		for _, refs := range d.Refs {
			if slices.ContainsFunc(refs, func(r catalog.Ref) bool { return r.ID == c.ID || (r.ID == "" && r.Name == c.Name) }) {
				users = append(users, d.Name())
				break
			}
		}
	}
	for _, f := range lib.Frameworks {
		custom := f.Type == probity.FrameworkTypeCustom
		if custom && (f.ManagedBy == run.source || declaredFw[f.Name]) {
			continue // replaced by the files' version, or pruned
		}
		if f.Uses(c.ID) {
			users = append(users, f.Name)
		}
	}
	slices.Sort(users)
	return slices.Compact(users)
}

// lastGoodControls maps the name of each control in the last good files to its file.
func (run *reconcileRun) lastGoodControls() map[string]string {
	files := make([]doc.File, 0, len(run.lastGood))
	for _, f := range run.lastGood {
		files = append(files, doc.File{Path: f.Path, Data: f.Data})
	}
	cat, _ := catalog.Load(files) // last good files loaded together before
	out := map[string]string{}
	for _, d := range cat.Controls {
		out[d.Name()] = d.Path
	}
	return out
}

// save makes the store's last good versions the files now in effect, and returns them
// as the store now holds them.
func (run *reconcileRun) save(ctx context.Context, files store.CatalogFileWriter, now func() time.Time) ([]store.CatalogFile, error) {
	var put []store.CatalogFile
	var remove []string
	all := make([]store.CatalogFile, 0, len(run.effect))
	at := now().UTC()
	for path, e := range run.effect {
		lg, ok := run.lastGood[path]
		if !ok || !bytes.Equal(lg.Data, e.data) || lg.Revision != e.rev {
			lg = store.CatalogFile{Source: run.source, Path: path, Data: e.data, Revision: e.rev, UpdatedAt: at}
			put = append(put, lg)
		}
		// The same bytes as the file in effect, which the source and the parse cache
		// hold: keeping those lets the copy read from the store go.
		lg.Data = e.data
		all = append(all, lg)
	}
	for path := range run.lastGood {
		if run.effect[path] == nil {
			remove = append(remove, path)
		}
	}
	if len(put) == 0 && len(remove) == 0 {
		return all, nil
	}
	// In batches, so that a store turns only one batch into rows at a time; all in the
	// caller's transaction.
	for start := 0; start == 0 || start < len(put); start += saveBatch {
		var rm []string
		if start == 0 {
			rm = remove
		}
		if err := files.SaveCatalogFiles(ctx, run.source, put[start:min(start+saveBatch, len(put))], rm); err != nil {
			return nil, fmt.Errorf("save last good files of %s: %w", run.source, err)
		}
	}
	return all, nil
}

// saveBatch is how many last good files one SaveCatalogFiles writes.
const saveBatch = 1000

// changes describes the applied plan with the files behind each change.
func (run *reconcileRun) changes(plan *catalog.Plan, revision string) []notify.Change {
	var gone map[string]string // "kind\x00name" -> path, of files no longer in effect
	out := make([]notify.Change, 0, len(plan.Changes))
	for _, c := range plan.Changes {
		path := c.Path
		if c.Action == catalog.Delete {
			if gone == nil {
				gone = run.goneDefinitions()
			}
			path = gone[c.Kind+"\x00"+c.Name]
		}
		out = append(out, notify.Change{Action: string(c.Action), Kind: c.Kind, Name: c.Name, Path: path,
			Revision: revision, Members: c.Members})
	}
	return out
}

// goneDefinitions maps what the last good files no longer in effect defined to their
// paths.
func (run *reconcileRun) goneDefinitions() map[string]string {
	var files []doc.File
	for path, f := range run.lastGood {
		if e := run.effect[path]; e == nil || !bytes.Equal(e.data, f.Data) {
			files = append(files, doc.File{Path: path, Data: f.Data})
		}
	}
	cat, _ := catalog.Load(files)
	out := map[string]string{}
	for _, d := range slices.Concat(cat.Controls, cat.Frameworks, cat.Rules, cat.Mappings) {
		out[d.Kind+"\x00"+d.Name()] = d.Path
	}
	return out
}

// failures lists the files not in effect as the source now holds them, and a refusal
// that stopped the whole reconcile.
func (run *reconcileRun) failures(blocked error) []notify.Failure {
	var out []notify.Failure
	paths := slices.Sorted(maps.Keys(run.problems))
	for _, path := range paths {
		e := run.effect[path]
		if e != nil && e.use == useCurrent {
			continue // a problem of an earlier round that a later change resolved
		}
		out = append(out, notify.Failure{Path: path, Problems: run.problems[path], KeptLastGood: e != nil})
	}
	if blocked != nil {
		out = append(out, notify.Failure{Path: "", Problems: strings.Split(blocked.Error(), "\n"), KeptLastGood: true})
	}
	return out
}

// namePos returns the position of a top-level name key, where the loader places
// problems with a name, or the zero Pos (the whole file) when there is none to find.
func namePos(data []byte) doc.Pos {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimLeft(line, " \t{")
		if len(line)-len(t) > 2 {
			continue // nested deeper than the top level
		}
		if strings.HasPrefix(t, "name:") || strings.HasPrefix(t, `"name":`) {
			return doc.Pos{Line: i + 1, Col: len(line) - len(t) + 1}
		}
	}
	return doc.Pos{}
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}
