package amapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
)

// UploadPattern is the ServeMux pattern of evidence file uploads, which whoever serves
// the API mounts beside it (cmd/probity's router does) with Handler.Uploads.
const UploadPattern = "PUT /uploads/{token}"

// uploadSigner issues and checks upload tokens: the account, the upload id, the file name
// and the expiry, with an HMAC-SHA256 of them under the server's upload secret. The token
// is the only credential of an upload URL.
type uploadSigner struct{ key []byte }

const uploadTokenVersion = 1

// uploadGrant is what a valid token allows: one upload for the account, until expiry.
type uploadGrant struct {
	account, id, fileName string
	expires               time.Time
}

func newUploadSigner(key []byte) *uploadSigner {
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key) // never fails (crypto/rand)
	}
	return &uploadSigner{key: key}
}

func (s *uploadSigner) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("probity-upload\x00"))
	m.Write(payload)
	return m.Sum(nil)
}

// issue returns the token of one upload.
func (s *uploadSigner) issue(account, id, fileName string, expires time.Time) string {
	b := []byte{uploadTokenVersion}
	b = binary.BigEndian.AppendUint64(b, uint64(expires.Unix()))
	for _, f := range []string{account, id, fileName} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return base64.RawURLEncoding.EncodeToString(append(b, s.mac(b)...))
}

// check returns the grant of a token whose signature is ours, or false.
func (s *uploadSigner) check(tok string) (uploadGrant, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 1+8+sha256.Size || b[0] != uploadTokenVersion {
		return uploadGrant{}, false
	}
	payload, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if !hmac.Equal(sum, s.mac(payload)) {
		return uploadGrant{}, false
	}
	g := uploadGrant{expires: time.Unix(int64(binary.BigEndian.Uint64(payload[1:9])), 0)}
	rest := payload[9:]
	var fields [3]string
	for i := range fields {
		if len(rest) < 2 || len(rest) < 2+int(binary.BigEndian.Uint16(rest)) {
			return uploadGrant{}, false
		}
		n := int(binary.BigEndian.Uint16(rest))
		fields[i], rest = string(rest[2:2+n]), rest[2+n:]
	}
	g.account, g.id, g.fileName = fields[0], fields[1], fields[2]
	return g, len(rest) == 0
}

// uploadBase returns the scheme and host upload URLs start with: Config.PublicURL, else
// the host the client used.
func (h *Handler) uploadBase(r *http.Request) string {
	if h.cfg.PublicURL != "" {
		return strings.TrimSuffix(h.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Uploads returns the handler of evidence file upload URLs (UploadPattern): a PUT of the
// file's bytes (curl -T FILE URL), no SigV4, the token in the path being the credential.
// It answers 200 once the bytes are kept, 403 AccessDeniedException for a token that is
// not ours or has expired, 409 ConflictException for one used already, and 413 for more
// than 100 MB (refused by Content-Length before reading, or once the limit is passed).
// The access log names the operation UploadEvidenceFile and never the token.
func (h *Handler) Uploads() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := probity.NewID()
		w.Header().Set("X-Amzn-Requestid", reqID)
		status := http.StatusOK
		ae := h.upload(r)
		if ae != nil {
			status = ae.status
			writeError(w, ae)
		} else {
			w.WriteHeader(status)
		}
		level := slog.LevelInfo
		if ae != nil && ae.cause != nil {
			level = slog.LevelError
		}
		h.log(r, level, "UploadEvidenceFile", status, time.Since(start), reqID, auth.Principal{}, ae)
	})
}

func (h *Handler) upload(r *http.Request) *apiError {
	g, ok := h.uploads.check(r.PathValue("token"))
	if !ok {
		return accessDenied("This upload URL is not valid.")
	}
	if !h.cfg.Now().Before(g.expires) {
		return accessDenied("This upload URL has expired; ask GetEvidenceFileUploadUrl for another.")
	}
	if r.ContentLength > assess.MaxEvidenceFileBytes {
		return tooLarge()
	}
	_, err := h.assess.Upload(r.Context(), g.account, g.id, g.fileName, r.Body)
	switch {
	case errors.Is(err, assess.ErrTooLarge):
		return tooLarge()
	case probity.ErrorCode(err) == probity.ECONFLICT:
		return &apiError{status: http.StatusConflict, Type: "ConflictException", Message: "This upload URL was used already."}
	case err != nil:
		return wireError(err)
	}
	return nil
}

func tooLarge() *apiError {
	return &apiError{status: http.StatusRequestEntityTooLarge, Type: typeTooLarge, Message: "An evidence file may be at most 100 MB."}
}

// IssueUpload returns what GetEvidenceFileUploadUrl returns, for the web console: the
// evidenceFileName that manual evidence names, and the path of the upload URL on this
// server (/uploads/TOKEN, for UploadPattern), valid for UploadTTL, for one file of the
// account. It returns EINVALID for a file name GetEvidenceFileUploadUrl refuses.
func (h *Handler) IssueUpload(account, fileName string) (evidenceFileName, path string, err error) {
	if err := assess.CheckFileName(fileName); err != nil {
		return "", "", err
	}
	id := probity.NewID()
	return assess.UploadName(id, fileName), "/uploads/" + h.uploads.issue(account, id, fileName, h.cfg.Now().Add(UploadTTL)), nil
}

// Assess returns the assessments service the handler acts through: Config.Assess with
// the evidence ledger, blob store and object reader of Config.Ledger when it had none.
// Whoever serves the web console beside the API gives it this one, so that manual
// evidence from both goes to the same ledger.
func (h *Handler) Assess() *assess.Service { return h.assess }
