package assess

import (
	"context"
	"io"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
)

// EvidenceFile opens the file kept with the evidence (an uploaded manual file, a text
// response, an S3 object's copy: its first blob) for a caller that may read it, and
// returns the evidence with it; the caller closes the reader. It returns ENOTFOUND for
// evidence without a file, and otherwise fails as Evidence does, or EINVALID on a server
// without a blob store.
func (s *Service) EvidenceFile(ctx context.Context, p auth.Principal, id, setID, folderID, evidenceID string) (io.ReadCloser, *probity.Evidence, error) {
	e, err := s.Evidence(ctx, p, id, setID, folderID, evidenceID)
	if err != nil {
		return nil, nil, err
	}
	if len(e.Blobs) == 0 {
		return nil, nil, probity.Errorf(probity.ENOTFOUND, "Evidence %s has no file.", evidenceID)
	}
	if s.Blobs == nil {
		return nil, nil, errNoBlobs
	}
	rc, err := s.Blobs.Open(ctx, e.Blobs[0])
	if err != nil {
		return nil, nil, err
	}
	return rc, e, nil
}

// Allowed reports whether the caller's roles in a allow the action (setID and to as for
// probity.Assessment.Authorize): the rule Authorize applies, for showing or hiding an
// action on an assessment already read. The action itself checks again.
func Allowed(a *probity.Assessment, p auth.Principal, act probity.AssessmentAction, setID string, to probity.ControlSetStatus) bool {
	return a.Authorize(actor(p), act, setID, to) == nil
}
