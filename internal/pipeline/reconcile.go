package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
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
	sum     [sha256.Size]byte // of the file's bytes
	data    []byte            // the bytes, when the source handed them; else read when needed (reconcileRun.data)
	problem string            // why the source's file could not be read; then data is empty
	rev     string
	use     int
}

// keptFile is a last good file as a reconcile keeps it: its bytes stay in the store.
type keptFile struct {
	Path     string
	Revision string
	Sum      [sha256.Size]byte // of the bytes the store holds
}

// reconcileRun is the state of one reconcile: the file set being worked towards, and
// what went wrong on the way.
type reconcileRun struct {
	source   string
	snap     *Snapshot
	reader   Reader            // reads the files whose bytes snap does not hold; nil when it holds them all
	st       store.Store       // holds the last good files' bytes
	storedMu sync.Mutex        // guards stored: read reads files from several goroutines
	stored   map[string][]byte // the last good versions the source does not hold, once read
	lastGood map[string]keptFile
	effect   map[string]*entry // the files to apply, by path
	dropped  map[string]bool   // files taken out for good in this run
	restored map[string]bool   // deleted files kept in effect because they are in use
	problems map[string][]string
	gone     map[string]string // what the files no longer in effect defined (goneDefinitions)
}

// reconcile brings the library in step with a snapshot of source. Files are applied as
// they stand when valid, else in their last good version, else not at all; problems
// that involve several files (a framework naming a control that is missing, two files
// with one name) take out the changed files first, and the set is checked again until
// it is consistent. Then it is applied in one transaction, with Prune, and the last good
// versions are saved. It returns an error only when the store fails.
func (p *Pipeline) reconcile(ctx context.Context, source string, rd Reader, snap *Snapshot) (*result, error) {
	// Another writer may change the library between the check and the transaction;
	// Apply re-plans inside it and refuses, and the check runs again.
	var last error
	for range 3 {
		res, err := p.reconcileOnce(ctx, source, rd, snap)
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

func (p *Pipeline) reconcileOnce(ctx context.Context, source string, rd Reader, snap *Snapshot) (*result, error) {
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
		snap:     snap,
		reader:   rd,
		st:       p.cfg.Store,
		lastGood: make(map[string]keptFile, len(kept)),
		effect:   make(map[string]*entry, len(snap.Files)),
		dropped:  map[string]bool{},
		restored: map[string]bool{},
		problems: map[string][]string{},
	}
	for _, f := range snap.Files {
		e := &entry{sum: f.Sum, data: f.Data, problem: f.Problem, rev: f.Revision, use: useCurrent}
		if e.sum == ([sha256.Size]byte{}) {
			e.sum = sha256.Sum256(f.Data)
		}
		run.effect[f.Path] = e
	}
	for _, f := range kept {
		run.lastGood[f.Path] = f
	}
	// A stand-in of the parse cache reads its file again (to place a problem) from the
	// source as it is then.
	if rd != nil {
		mem.parsed.Reread = func(path string) []byte {
			data, _ := rd.ReadFile(context.WithoutCancel(ctx), path)
			return data
		}
	} else {
		mem.parsed.Reread = func(path string) []byte {
			i, found := slices.BinarySearchFunc(snap.Files, path, comparePath)
			if !found {
				return nil
			}
			return snap.Files[i].Data
		}
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
		files, sums := run.files()
		cat, diags, err = catalog.LoadCachedKnownFrom(files, sums, func(i int) (doc.File, error) {
			// Called from several goroutines at once: nothing outside f is written.
			f := files[i]
			var err error
			f.Data, err = run.data(ctx, f.Path)
			return f, err
		}, &mem.parsed, lib)
		if err != nil {
			return nil, err
		}
		files, sums = nil, nil
		diags = append(diags, run.ownership(ctx, cat, lib)...)
		if len(diags) > 0 {
			run.takeOut(diags)
			continue
		}
		inUse, err := run.keepInUse(ctx, cat, lib)
		if err != nil {
			return nil, err
		}
		if inUse {
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
		// What the files no longer in effect defined is found before their last good
		// versions go from the store.
		if opts.Plan != nil && slices.ContainsFunc(opts.Plan.Changes, func(c catalog.Change) bool { return c.Action == catalog.Delete }) {
			if run.gone, err = run.goneDefinitions(ctx); err != nil {
				return nil, err
			}
		}
		var saved []keptFile
		opts.InTransaction = func(ctx context.Context, tx store.Tx) (err error) {
			saved, err = run.save(ctx, tx, p.cfg.Now)
			return err
		}
		plan, err := catalog.Apply(ctx, p.cfg.Store, cat, opts)
		if err != nil {
			return nil, err
		}
		if res.changes, err = run.changes(ctx, plan, snap.Revision); err != nil {
			return nil, err
		}
		lib, rev, _ = plan.Library()
		p.lib, p.libRev = lib, rev
		mem.keep(saved, rev)
		mem.settle(cat, lib)
	}
	res.failures = run.failures(blocked)
	ok = true
	return res, nil
}

// files returns the files in effect, in path order, without their bytes, and the sums
// of their bytes.
func (run *reconcileRun) files() ([]doc.File, [][sha256.Size]byte) {
	paths := slices.Sorted(maps.Keys(run.effect))
	out := make([]doc.File, len(paths))
	sums := make([][sha256.Size]byte, len(paths))
	for i, p := range paths {
		out[i] = doc.File{Path: p, Problem: run.effect[p].problem}
		sums[i] = run.effect[p].sum
	}
	return out, sums
}

// data returns the bytes of the file at path in the version in effect: those the source
// handed over, else read from the source (the current version) or the store (the last
// good one). It returns an error when they cannot be read or no longer have the sum the
// reconcile knows them by.
func (run *reconcileRun) data(ctx context.Context, path string) ([]byte, error) {
	e := run.effect[path]
	if e == nil || e.problem != "" {
		return nil, nil
	}
	if e.data != nil {
		return e.data, nil
	}
	data, err := run.read(ctx, path, e.sum)
	if err != nil {
		return nil, err
	}
	if sha256.Sum256(data) != e.sum {
		return nil, fmt.Errorf("read %s of %s: the file changed while it was being reconciled", path, run.source)
	}
	return data, nil
}

// read returns the bytes with sum of the file at path: the source's when its snapshot
// has them, else the store's last good version.
func (run *reconcileRun) read(ctx context.Context, path string, sum [sha256.Size]byte) ([]byte, error) {
	i, found := slices.BinarySearchFunc(run.snap.Files, path, comparePath)
	if found && run.snap.Files[i].Problem == "" && sumOf(run.snap.Files[i]) == sum {
		if f := run.snap.Files[i]; f.Data != nil || run.reader == nil {
			return f.Data, nil
		}
		data, err := run.reader.ReadFile(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("read %s of %s: %w", path, run.source, err)
		}
		return data, nil
	}
	run.storedMu.Lock()
	defer run.storedMu.Unlock()
	if run.stored == nil {
		// Only the last good versions the source does not hold are kept: the others
		// are read from the source.
		files, err := run.st.CatalogFiles(ctx, run.source)
		if err != nil {
			return nil, fmt.Errorf("read last good files of %s: %w", run.source, err)
		}
		run.stored = map[string][]byte{}
		for _, f := range files {
			j, found := slices.BinarySearchFunc(run.snap.Files, f.Path, comparePath)
			if !found || run.snap.Files[j].Problem != "" || sumOf(run.snap.Files[j]) != sha256.Sum256(f.Data) {
				run.stored[f.Path] = f.Data
			}
		}
	}
	return run.stored[path], nil
}

func comparePath(f File, path string) int { return strings.Compare(f.Path, path) }

// sumOf returns the sum of a snapshot's file's bytes.
func sumOf(f File) [sha256.Size]byte {
	if f.Sum != ([sha256.Size]byte{}) {
		return f.Sum
	}
	return sha256.Sum256(f.Data)
}

// changed reports whether the file at path is in effect in a version other than its
// last good one.
func (run *reconcileRun) changed(path string) bool {
	e := run.effect[path]
	lg, ok := run.lastGood[path]
	return e != nil && e.use == useCurrent && (!ok || e.problem != "" || lg.Sum != e.sum)
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
		if lg, ok := run.lastGood[path]; ok && e.use == useCurrent && (e.problem != "" || lg.Sum != e.sum) {
			e.sum, e.data, e.problem, e.rev, e.use = lg.Sum, nil, "", lg.Revision, useLastGood
			continue
		}
		delete(run.effect, path)
		run.dropped[path] = true
	}
}

// ownership reports the documents whose names the library already holds for another
// owner: another source, another tool or the API. Taking them over would move a control
// from one source to another behind its owner's back.
func (run *reconcileRun) ownership(ctx context.Context, cat *catalog.Catalog, lib *store.Library) doc.Diagnostics {
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
		data, _ := run.data(ctx, dc.Path) // unread, the problem is placed on the whole file
		out = append(out, doc.Diagnostic{Path: dc.Path, Pos: namePos(data), Field: "name",
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
// the file set. It returns an error when the last good files cannot be read.
func (run *reconcileRun) keepInUse(ctx context.Context, cat *catalog.Catalog, lib *store.Library) (bool, error) {
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
			var err error
			if definedBy, err = run.lastGoodControls(ctx); err != nil {
				return false, err
			}
		}
		path, ok := definedBy[c.Name]
		if !ok || run.dropped[path] || run.restored[path] {
			continue // MakePlan refuses the prune and says why
		}
		lg := run.lastGood[path]
		used := fmt.Sprintf("control %q is still used by framework %s", c.Name, quoteAll(users))
		switch e := run.effect[path]; {
		case e == nil:
			run.effect[path] = &entry{sum: lg.Sum, rev: lg.Revision, use: useLastGood}
			run.restored[path] = true
			run.problems[path] = appendNew(run.problems[path], path+": file deleted, but "+used+"; its last good version stays in effect")
			changed = true
		case e.use == useCurrent:
			e.sum, e.data, e.rev, e.use = lg.Sum, nil, lg.Revision, useLastGood
			run.problems[path] = appendNew(run.problems[path], path+": no longer defines a control that is in use: "+used+"; its last good version stays in effect")
			changed = true
		}
	}
	return changed, nil
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
// It returns an error when they cannot be read.
func (run *reconcileRun) lastGoodControls(ctx context.Context) (map[string]string, error) {
	files, err := run.lastGoodFiles(ctx, func(keptFile) bool { return true })
	if err != nil {
		return nil, err
	}
	cat, _ := catalog.Load(files) // last good files loaded together before
	out := map[string]string{}
	for _, d := range cat.Controls {
		out[d.Name()] = d.Path
	}
	return out, nil
}

// lastGoodFiles returns the last good files that keep selects, with their bytes. It
// returns an error when they cannot be read.
func (run *reconcileRun) lastGoodFiles(ctx context.Context, keep func(keptFile) bool) ([]doc.File, error) {
	var files []doc.File
	for _, f := range run.lastGood {
		if !keep(f) {
			continue
		}
		data, err := run.read(ctx, f.Path, f.Sum)
		if err != nil {
			return nil, err
		}
		files = append(files, doc.File{Path: f.Path, Data: data})
	}
	return files, nil
}

// save makes the store's last good versions the files now in effect, and returns them
// as the store now holds them.
func (run *reconcileRun) save(ctx context.Context, files store.CatalogFileWriter, now func() time.Time) ([]keptFile, error) {
	var put []store.CatalogFile
	var remove []string
	all := make([]keptFile, 0, len(run.effect))
	at := now().UTC()
	for path, e := range run.effect {
		lg, ok := run.lastGood[path]
		if !ok || lg.Sum != e.sum || lg.Revision != e.rev {
			lg = keptFile{Path: path, Revision: e.rev, Sum: e.sum}
			put = append(put, store.CatalogFile{Source: run.source, Path: path, Revision: e.rev, UpdatedAt: at})
		}
		all = append(all, lg)
	}
	slices.SortFunc(put, func(a, b store.CatalogFile) int { return strings.Compare(a.Path, b.Path) })
	for path := range run.lastGood {
		if run.effect[path] == nil {
			remove = append(remove, path)
		}
	}
	if len(put) == 0 && len(remove) == 0 {
		return all, nil
	}
	// In batches, read as each is saved, so that only one batch's bytes are held and a
	// store turns only one batch into rows at a time; all in the caller's transaction.
	for start := 0; start == 0 || start < len(put); start += saveBatch {
		var rm []string
		if start == 0 {
			rm = remove
		}
		batch := put[start:min(start+saveBatch, len(put))]
		for i := range batch {
			data, err := run.data(ctx, batch[i].Path)
			if err != nil {
				return nil, err
			}
			batch[i].Data = data
		}
		if err := files.SaveCatalogFiles(ctx, run.source, batch, rm); err != nil {
			return nil, fmt.Errorf("save last good files of %s: %w", run.source, err)
		}
		for i := range batch {
			batch[i].Data = nil
		}
	}
	return all, nil
}

// saveBatch is how many last good files one SaveCatalogFiles writes.
const saveBatch = 1000

// changes describes the applied plan with the files behind each change. It returns an
// error when the last good files it needs cannot be read.
func (run *reconcileRun) changes(ctx context.Context, plan *catalog.Plan, revision string) ([]notify.Change, error) {
	gone := run.gone // "kind\x00name" -> path, of files no longer in effect
	out := make([]notify.Change, 0, len(plan.Changes))
	for _, c := range plan.Changes {
		path := c.Path
		if c.Action == catalog.Delete {
			if gone == nil {
				var err error
				if gone, err = run.goneDefinitions(ctx); err != nil {
					return nil, err
				}
			}
			path = gone[c.Kind+"\x00"+c.Name]
		}
		out = append(out, notify.Change{Action: string(c.Action), Kind: c.Kind, Name: c.Name, Path: path,
			Revision: revision, Members: c.Members})
	}
	return out, nil
}

// goneDefinitions maps what the last good files no longer in effect defined to their
// paths. It returns an error when they cannot be read.
func (run *reconcileRun) goneDefinitions(ctx context.Context) (map[string]string, error) {
	files, err := run.lastGoodFiles(ctx, func(f keptFile) bool {
		e := run.effect[f.Path]
		return e == nil || e.sum != f.Sum
	})
	if err != nil {
		return nil, err
	}
	cat, _ := catalog.Load(files)
	out := map[string]string{}
	for _, d := range slices.Concat(cat.Controls, cat.Frameworks, cat.Rules, cat.Mappings) {
		out[d.Kind+"\x00"+d.Name()] = d.Path
	}
	return out, nil
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
