package assess

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/store"
)

// Ledger is the evidence ledger as assessments use it (*evidence.Ledger): manual
// evidence is appended to it, and it signs a checkpoint at every status change.
type Ledger interface {
	Append(ctx context.Context, b evidence.Batch) (evidence.Result, error)
	StatusChanged(ctx context.Context, account, assessmentID, status string) error
}

// ObjectReader reads the S3 objects that manual evidence names.
type ObjectReader interface {
	// ReadObject returns the bytes of the object, or an ENOTFOUND error when the bucket
	// or key does not exist, EUNAUTHORIZED when the server may not read it, EINVALID for
	// any other refusal.
	ReadObject(ctx context.Context, bucket, key string) (io.ReadCloser, error)
}

// MaxEvidenceFileBytes bounds a file of manual evidence (an upload or an S3 object).
const MaxEvidenceFileBytes = 100 << 20

// ManualDataSource is the data source, and folder name, of manual evidence.
const ManualDataSource = "Manual"

// ErrTooLarge is returned (wrapped) for a file of more than MaxEvidenceFileBytes.
var ErrTooLarge = errors.New("the file is larger than 100 MB")

// Limits of the model's ManualEvidence members and of an evidence attribute's value.
const (
	maxManualItems = 50
	maxTextChars   = 1000
	maxFileName    = 300
	maxS3URL       = 1024
	maxAttribute   = 200
)

// ManualEvidence is one item of manual evidence: exactly one member is set.
type ManualEvidence struct {
	TextResponse     string
	S3ResourcePath   string
	EvidenceFileName string // from UploadName
}

// statusChanged tells the ledger of a's new status; a failure is logged: the change has
// committed and stands.
func (s *Service) statusChanged(ctx context.Context, a *probity.Assessment) {
	if s.Ledger == nil {
		return
	}
	if err := s.Ledger.StatusChanged(ctx, a.AccountID, a.ID, string(a.Status)); err != nil && s.Log != nil {
		s.Log.Error("checkpoint at status change", "assessment", a.ID, "status", a.Status, "err", err)
	}
}

// errNoBlobs refuses manual evidence on a server started without a blob store, saying
// what its operator must set.
var errNoBlobs = probity.Errorf(probity.EINVALID, "This Probity server keeps no evidence files: its operator must start it with a blob store (serve --blobs DIR or s3://BUCKET/PREFIX, or PROBITY_BLOBS).")

// ImportEvidence appends manual evidence to a control of the caller's assessment, in one
// batch in today's (UTC) folder of the control for the data source "Manual", visible at
// once. Each file's bytes (a text response's too) go whole to the blob store, and their
// SHA-256 is recorded in the evidence. The assessment's PROCESS_OWNERs, admins and the
// delegates of the control set may import.
//
// Each item stands alone: one that is not valid (not exactly one member, too long), whose
// S3 object cannot be read or whose upload is not the caller's account's comes back as a
// Failure, and the others are appended. Importing the same items to the same control on
// the same day again appends nothing (the batch is idempotent). It returns ENOTFOUND for
// an assessment, control set or control that does not exist, EUNAUTHORIZED for anyone
// else, and EINVALID for an INACTIVE assessment, fewer than 1 or more than 50 items, or a
// server without a blob store.
func (s *Service) ImportEvidence(ctx context.Context, p auth.Principal, id, setID, controlID string, items []ManualEvidence) ([]Failure, error) {
	if n := len(items); n < 1 || n > maxManualItems {
		return nil, &probity.Error{Code: probity.EINVALID, Message: "invalid manual evidence",
			Fields: []probity.FieldError{{Name: "manualEvidence", Message: fmt.Sprintf("must have 1 to %d items, got %d", maxManualItems, n)}}}
	}
	if s.Ledger == nil || s.Blobs == nil {
		return nil, errNoBlobs
	}
	a, err := s.get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	set := a.ControlSet(setID)
	if set == nil {
		return nil, probity.NotFound("controlSet", setID)
	}
	ctl := set.Control(controlID)
	if ctl == nil {
		return nil, probity.NotFound("control", controlID)
	}
	if err := a.Authorize(actor(p), probity.ImportEvidence, setID, ""); err != nil {
		return nil, err
	}
	if err := a.CheckActive(); err != nil {
		return nil, err
	}
	now := s.now()
	var failed []Failure
	var evs []probity.Evidence
	ident := sha256.New() // what the batch holds, for its idempotency key
	for i, it := range items {
		e := probity.Evidence{ControlSetID: setID, ControlID: controlID, ControlName: ctl.Name, DataSource: ManualDataSource,
			EvidenceByType: probity.EvidenceTypeManual, Time: now, EvidenceAWSAccountID: p.AccountID, AWSAccountID: p.AccountID,
			IAMID: p.ARN, Attributes: map[string]string{}}
		what, err := s.manualItem(ctx, p, it, &e)
		if err != nil {
			failed = append(failed, Failure{Index: i, Err: err})
			continue
		}
		fmt.Fprintf(ident, "%d:%s\x00", len(what), what)
		evs = append(evs, e)
	}
	if len(evs) == 0 {
		return failed, nil
	}
	day := probity.Day(now)
	_, err = s.Ledger.Append(ctx, evidence.Batch{Account: p.AccountID, AssessmentID: id, Author: p.Name, Items: evs,
		Key: evidence.Key{ControlSetID: setID, ControlID: controlID, SourceID: ManualDataSource,
			Resource: hex.EncodeToString(ident.Sum(nil)), WindowStart: day, WindowEnd: day.Add(24 * time.Hour)}})
	if err != nil {
		return nil, err
	}
	return failed, nil
}

// manualItem fills e from one item, storing its bytes, and returns what identifies the
// item within a batch; or an EINVALID, ENOTFOUND or EUNAUTHORIZED error for the item.
func (s *Service) manualItem(ctx context.Context, p auth.Principal, it ManualEvidence, e *probity.Evidence) (string, error) {
	set := 0
	for _, v := range []string{it.TextResponse, it.S3ResourcePath, it.EvidenceFileName} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return "", probity.Errorf(probity.EINVALID, "Set exactly one of textResponse, s3ResourcePath and evidenceFileName.")
	}
	switch {
	case it.TextResponse != "":
		if n := utf8.RuneCountInString(it.TextResponse); n > maxTextChars || probity.CheckText(it.TextResponse, probity.FreeText) != "" {
			return "", probity.Errorf(probity.EINVALID, "textResponse must be 1 to %d characters of text.", maxTextChars)
		}
		digest, size, err := s.Blobs.Put(ctx, strings.NewReader(it.TextResponse))
		if err != nil {
			return "", err
		}
		fileAttributes(e, digest, size)
		e.Attributes["textResponse"] = cut(it.TextResponse, maxAttribute)
		return "text:" + digest, nil
	case it.S3ResourcePath != "":
		bucket, key, err := parseS3URL(it.S3ResourcePath)
		if err != nil {
			return "", err
		}
		if s.Objects == nil {
			return "", probity.Errorf(probity.EINVALID, "This server does not read S3 objects for manual evidence.")
		}
		r, err := s.Objects.ReadObject(ctx, bucket, key)
		if err != nil {
			return "", err
		}
		defer r.Close()
		digest, size, err := s.Blobs.Put(ctx, &limitReader{r: r, left: MaxEvidenceFileBytes})
		if errors.Is(err, ErrTooLarge) {
			return "", probity.Errorf(probity.EINVALID, "%s is larger than 100 MB.", it.S3ResourcePath)
		} else if err != nil {
			return "", err
		}
		fileAttributes(e, digest, size)
		e.Attributes["s3ResourcePath"] = cut(it.S3ResourcePath, maxAttribute)
		e.ResourcesIncluded = []probity.EvidenceResource{{ARN: "arn:aws:s3:::" + bucket + "/" + key, Value: it.S3ResourcePath}}
		return "s3:" + it.S3ResourcePath + "\x00" + digest, nil
	default:
		u, err := s.upload(ctx, p, it.EvidenceFileName)
		if err != nil {
			return "", err
		}
		fileAttributes(e, u.Digest, u.Size)
		e.Attributes["fileName"] = cut(u.FileName, maxAttribute)
		return "upload:" + u.ID, nil
	}
}

func fileAttributes(e *probity.Evidence, digest string, size int64) {
	e.Blobs = []string{digest}
	e.Attributes["sha256"] = digest
	e.Attributes["size"] = strconv.FormatInt(size, 10)
}

// cut returns s cut to max characters.
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

// parseS3URL returns the bucket and key of s3://BUCKET/KEY, or an EINVALID error.
func parseS3URL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "S3://")
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if !ok || utf8.RuneCountInString(u) > maxS3URL || bucket == "" || key == "" || probity.CheckText(u, probity.SingleLine) != "" {
		return "", "", probity.Errorf(probity.EINVALID, "s3ResourcePath must be s3://BUCKET/KEY, at most %d characters.", maxS3URL)
	}
	return bucket, key, nil
}

// UploadName returns the evidenceFileName of the upload with the id: the id, "_", and
// the caller's file name, cut so the whole is at most 300 characters.
func UploadName(id, fileName string) string {
	return id + "_" + cut(fileName, maxFileName-len(id)-1)
}

// CheckFileName returns an EINVALID error unless name is a file name the model accepts
// (the ManualEvidenceLocalFileName shape: 1 to 300 characters, no slash).
func CheckFileName(name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > maxFileName || strings.Contains(name, "/") || probity.CheckText(name, probity.SingleLine) != "" {
		return &probity.Error{Code: probity.EINVALID, Message: "invalid file name",
			Fields: []probity.FieldError{{Name: "fileName", Message: fmt.Sprintf("must be 1 to %d characters of text without a slash", maxFileName)}}}
	}
	return nil
}

// upload returns the caller's account's upload that an evidenceFileName names, or an
// ENOTFOUND error (also for another account's upload and one not made yet).
func (s *Service) upload(ctx context.Context, p auth.Principal, name string) (*store.EvidenceUpload, error) {
	id, _, _ := strings.Cut(name, "_")
	if err := CheckFileName(name); err != nil || !probity.IsUUID(id) {
		return nil, probity.Errorf(probity.EINVALID, "evidenceFileName must be one that GetEvidenceFileUploadUrl returned.")
	}
	u, err := s.Store.EvidenceUpload(ctx, p.AccountID, id)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return nil, probity.NotFound("evidenceFile", name)
	}
	return u, err
}

// Upload keeps the bytes r yields, at most MaxEvidenceFileBytes, as the upload with the id
// of the account, for manual evidence to name (see UploadName). It returns an ECONFLICT
// error when the id was used already, and ErrTooLarge (wrapped) for more bytes than the
// limit, having read no more than one byte past it.
func (s *Service) Upload(ctx context.Context, account, id, fileName string, r io.Reader) (*store.EvidenceUpload, error) {
	if s.Blobs == nil {
		return nil, errNoBlobs
	}
	if _, err := s.Store.EvidenceUpload(ctx, account, id); err == nil {
		return nil, probity.Errorf(probity.ECONFLICT, "This upload URL was used already.")
	} else if probity.ErrorCode(err) != probity.ENOTFOUND {
		return nil, err
	}
	digest, size, err := s.Blobs.Put(ctx, &limitReader{r: r, left: MaxEvidenceFileBytes})
	if err != nil {
		return nil, fmt.Errorf("evidence upload: %w", err)
	}
	u := &store.EvidenceUpload{ID: id, AccountID: account, FileName: fileName, Digest: digest, Size: size, At: s.now()}
	err = s.Store.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.PutEvidenceUpload(ctx, u) })
	if probity.ErrorCode(err) == probity.ECONFLICT {
		return nil, probity.Errorf(probity.ECONFLICT, "This upload URL was used already.")
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// limitReader yields r's bytes and fails with ErrTooLarge once more than left come.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	return n, err
}

var _ Ledger = (*evidence.Ledger)(nil)
