package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// Source is somewhere catalog files live: a bucket, a directory, a git repository.
//
// Lifecycle: the pipeline calls Snapshot once at start, then runs Watch for as long as it
// runs; each time Watch signals a change, or a poll is due, the pipeline calls Snapshot
// again (never two at once for one source) and reconciles what it returns. When Watch
// returns an error the pipeline marks the source down, waits (backing off) and calls
// Watch again, then reconciles once to catch up on whatever was missed.
type Source interface {
	// Name returns the stable name that owns what the source defines in the library
	// (catalog.Options.Source): a bucket URL, a repository URL, a directory path. It
	// appears in logs, metrics, notifications and /healthz, so it holds no secret: a
	// URL's password and query values are masked with redact.URL.
	Name() string
	// Snapshot returns every catalog file the source holds now, reading again only the
	// files that changed since the last call. It returns an error, and no snapshot,
	// when the source cannot be read whole; the error holds no secret either. It
	// returns soon after ctx ends, whatever it was waiting for.
	Snapshot(ctx context.Context) (*Snapshot, error)
	// Watch blocks until ctx is done (returning nil) or the source fails (returning why).
	// It calls sig.Changed when the source may have changed and sig.Healthy after each
	// successful look at it.
	Watch(ctx context.Context, sig *Signal) error
}

// Seeder is a Source that can skip fetching files again after a restart: Seed gives it
// the last good versions the store holds, before the first Snapshot.
type Seeder interface {
	Seed(files []store.CatalogFile)
}

// Reader is a Source that hands over files by digest and reads their bytes only when the
// pipeline asks: a large catalog's bytes are then held neither by the source nor by the
// pipeline between reconciles. Its snapshots' files carry Sum and may leave Data nil.
type Reader interface {
	Source
	// ReadFile returns the bytes of the file at path as the source holds it now. The
	// pipeline fails the reconcile when they no longer have the sum the snapshot gave
	// (the file changed meanwhile; a later snapshot holds it). It returns an error when
	// the file cannot be read.
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// Snapshot is the whole content of a source at one moment.
type Snapshot struct {
	// Revision is what the source as a whole was at (the git commit); may be empty.
	Revision string
	// Files holds the catalog files, in path order.
	Files []File
}

// File is one catalog file of a snapshot.
type File struct {
	Path     string // object key or path below the source's root, with forward slashes
	Data     []byte
	Revision string // ETag, git blob hash, or modification time and size
	// Sum is the SHA-256 of the file's bytes, set by a Reader, which may then leave Data
	// nil; the zero Sum means unset, and the pipeline sums Data itself.
	Sum [sha256.Size]byte
	// Problem says why the file was not read (a link or a named pipe in a directory,
	// see doc.ReadFile); Data is then empty, and the file fails with this problem.
	Problem string
}

// fingerprint identifies the content of a snapshot: equal fingerprints mean nothing
// changed. A file's Revision stands for its content when it has one: a source reads a
// file again only when its Revision changes.
func (s *Snapshot) fingerprint() string {
	h := sha256.New()
	h.Write([]byte(s.Revision))
	for _, f := range s.Files {
		h.Write([]byte{0})
		h.Write([]byte(f.Path))
		h.Write([]byte{0})
		switch {
		case f.Revision != "":
			h.Write([]byte("revision\x00" + f.Revision))
		case f.Sum != [sha256.Size]byte{}:
			h.Write(f.Sum[:])
		default:
			sum := sha256.Sum256(f.Data)
			h.Write(sum[:])
		}
		h.Write([]byte(f.Problem))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SortFiles sorts files by path, the order of Snapshot.Files.
func SortFiles(files []File) {
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}

// IsCatalogPath reports whether a relative path, with forward slashes, names a catalog
// file: a catalog extension and no hidden folder or file on the way (.git and the like).
// Sources list only such paths.
func IsCatalogPath(p string) bool {
	if !doc.IsDocumentName(p) {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") || part == "" {
			return false
		}
	}
	return true
}

// Signal is how a Source's Watch tells the pipeline what it saw.
type Signal struct {
	r *runner
}

// Changed asks for a reconcile of the source. Changes signalled close together lead to
// one reconcile. done, when not nil, is called once that reconcile (one that started
// after the call) has ended: with nil when it was carried out, even if some files were
// invalid (their failure is notified), or with the error that stopped it (the source or
// the store failing). Sources use done to acknowledge events only once they are applied.
func (s *Signal) Changed(done func(ctx context.Context, err error)) { s.r.request(false, done) }

// Healthy says that the source's watch is working.
func (s *Signal) Healthy() { s.r.setWatchErr(nil) }

func invalidf(format string, args ...any) error {
	return probity.Errorf(probity.EINVALID, format, args...)
}
