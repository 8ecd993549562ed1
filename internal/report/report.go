// Package report writes assessment reports and verifies them offline.
//
// A report is one zip archive, laid out as AWS Audit Manager lays out its own, under one
// root folder (the report's name, made safe for a path):
//
//	ROOT/AssessmentReportSummary.pdf    the summary (see Summary)
//	ROOT/AssessmentReportSummary.html   the same summary as one HTML page, no external assets
//	ROOT/README.txt                     what the files are and how to verify them by hand
//	ROOT/evidence/CONTROL/DATA SOURCE/YYYY-MM-DD/EVIDENCE-ID.json
//	                                    one file per evidence item, with its ledger hash and
//	                                    chain position (sequence)
//	ROOT/evidence/CONTROL/DATA SOURCE/YYYY-MM-DD/EVIDENCE-ID/FILE
//	                                    a manual evidence file, as uploaded
//	ROOT/digest.txt                     the SHA-256 of every other file but the signature
//	ROOT/digest.txt.sig                 the Ed25519 signature of digest.txt's bytes (64 bytes)
//
// digest.txt begins with "#" lines naming the format, the signing key's id, its public key
// and the signing time, so that the signature covers them; then one line per file,
// "HEX-SHA256  PATH" as sha256sum prints it, PATH relative to the zip's top. Anyone can
// check a report with sha256sum and openssl (README.txt says how), or with Verify.
//
// Write streams: evidence is read once, in order, and written straight into the zip; the
// digest lines and the zip's central directory go through temporary files, so memory stays
// flat whatever the number of evidence items.
package report

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"

	"github.com/probity-dev/probity"
)

// Algorithm is the signature algorithm of every report, as ValidateAssessmentReportIntegrity
// names it.
const Algorithm = "Ed25519"

// Signer is a report signing key in use: an Ed25519 key whose private half is kept sealed
// under the master key (see Keys). Its ID is derived from the public key (KeyID), so a
// report names the key that signed it in a way anyone can check.
type Signer struct {
	ID        string
	Private   ed25519.PrivateKey
	CreatedAt time.Time
}

// Public returns the signer's public key.
func (s *Signer) Public() ed25519.PublicKey { return s.Private.Public().(ed25519.PublicKey) }

// KeyID returns the id of a public key: "ed25519:" and the first 16 bytes of its SHA-256
// in lowercase hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:16])
}

// Input is what a report is made of. Write reads Evidence once; everything else is small.
type Input struct {
	// Assessment is the assessment reported on, with its control sets, controls, review
	// state and comments.
	Assessment probity.Assessment
	// Name, Description and Author are the report's (CreateAssessmentReport's name and
	// description; the ARN of who asked for it). Name names the zip's root folder.
	Name, Description, Author string
	// Evidence calls fn with each selected evidence item, in the order the report lists
	// them (by control set, control, data source, day, sequence); it should read from one
	// store View so that the report is one consistent state of the ledger. fn's error
	// stops it and must be returned unchanged.
	Evidence func(ctx context.Context, fn func(probity.Evidence) error) error
	// Blob opens a file of the blob store by its SHA-256 (Evidence.Blobs); nil when the
	// ledger has no blob store, in which case evidence with files fails the report.
	Blob func(ctx context.Context, sha256 string) (io.ReadCloser, error)
	// Days are the assessment's daily compliance counts, for the summary's chart.
	Days []probity.EvidenceDay
	// At is the report's time: the signing time written in digest.txt.
	At time.Time
	// TempDir holds the temporary files of the digest and the zip directory; empty for the
	// system's.
	TempDir string
	// ListLimit bounds the summary's list of selected evidence: the first ListLimit items
	// are listed, the rest counted. Zero means DefaultListLimit.
	ListLimit int
}

// DefaultListLimit is how many evidence items the summary lists when Input.ListLimit is 0.
const DefaultListLimit = 1000

// Summary is what Write made.
type Summary struct {
	// Root is the zip's root folder.
	Root string
	// Digest is the SHA-256 of digest.txt, lowercase hex: what the signature covers.
	Digest string
	// KeyID is the signing key's id.
	KeyID string
	// Files counts the files in the zip, digest.txt and its signature included.
	Files int
	// Evidence counts the evidence items written.
	Evidence int
	// Size is the zip's size in bytes.
	Size int64
}

// Write streams the report of in into w as a zip archive signed with s, and returns its
// summary. It returns an error, having written an incomplete archive, when reading the
// evidence or a blob fails, when an evidence file's blob is missing, or when w fails;
// ctx's end stops it with ctx's error.
func Write(ctx context.Context, w io.Writer, in Input, s *Signer) (*Summary, error) {
	return write(ctx, w, in, s)
}
