package store

import (
	"context"
	"time"
)

// EvidenceUpload is a file uploaded through an evidence file upload URL
// (GetEvidenceFileUploadUrl), kept in the ledger's blob store until manual evidence refers
// to it by its id.
type EvidenceUpload struct {
	ID        string // the upload URL's id, which the evidenceFileName carries
	AccountID string // whose key asked for the URL; only its account may import the file
	FileName  string // the name the caller gave
	Digest    string // SHA-256 of the bytes, lowercase hex: the blob's name
	Size      int64
	At        time.Time
}

// UploadReader reads evidence uploads.
type UploadReader interface {
	// EvidenceUpload returns the account's upload with the id, or ENOTFOUND (also for
	// another account's).
	EvidenceUpload(ctx context.Context, account, id string) (*EvidenceUpload, error)
}

// UploadWriter records evidence uploads.
type UploadWriter interface {
	// PutEvidenceUpload records an upload. It returns an ECONFLICT error when an upload
	// with the id exists: each upload URL is used once.
	PutEvidenceUpload(ctx context.Context, u *EvidenceUpload) error
}
