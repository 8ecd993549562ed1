// Package record is the one encoding of ledger records: the canonical body of an evidence
// (canon's RFC 8785 form, written directly for speed and proven equal to canon.Marshal by
// the tests) and the chain hash that binds a body to its place in its assessment's chain.
//
// A record's chain hash is canon's versioned SHA-256 of the canonical envelope
//
//	{"body":BODY,"folder":FOLDER,"id":ID,"kind":KIND,"prev":PREV,"seq":SEQ}
//
// where PREV is the previous record's chain hash ("sha256:" and hex; for the first record
// of a chain, Genesis). Everything a row holds besides the hash is in the envelope, so a
// change to any column, or a move of a row, changes the hash.
package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/canon"
)

// Kinds of records.
const (
	// KindEvidence is a record of evidence.
	KindEvidence = "evidence"
	// KindPurge records a retention purge; its body is a Purge.
	KindPurge = "purge"
)

// Genesis is the PREV of a chain's first record.
var Genesis canon.Digest

// Body is the stored and hashed form of an evidence's members (everything but the ledger's
// and the report selection), with Audit Manager's member names; empty members are left
// out. Its JSON encoding, canonicalized, is what AppendBody writes.
type Body struct {
	Attributes           map[string]string `json:"attributes,omitempty"`
	AWSAccountID         string            `json:"awsAccountId,omitempty"`
	AWSOrganization      string            `json:"awsOrganization,omitempty"`
	Blobs                []string          `json:"blobs,omitempty"`
	ComplianceCheck      string            `json:"complianceCheck,omitempty"`
	ControlID            string            `json:"controlId,omitempty"`
	ControlName          string            `json:"controlName,omitempty"`
	ControlSetID         string            `json:"controlSetId,omitempty"`
	DataSource           string            `json:"dataSource,omitempty"`
	EvidenceAWSAccountID string            `json:"evidenceAwsAccountId,omitempty"`
	EvidenceByType       string            `json:"evidenceByType,omitempty"`
	EventName            string            `json:"eventName,omitempty"`
	EventSource          string            `json:"eventSource,omitempty"`
	IAMID                string            `json:"iamId,omitempty"`
	ResourcesIncluded    []Resource        `json:"resourcesIncluded,omitempty"`
	Time                 string            `json:"time"`
}

// Resource is a body's resource.
type Resource struct {
	ARN             string `json:"arn,omitempty"`
	ComplianceCheck string `json:"complianceCheck,omitempty"`
	Value           string `json:"value,omitempty"`
}

// Purge is the body of a purge record: every record of the chain up to Seq, whose chain
// hash was Hash, was removed under the retention period.
type Purge struct {
	Before string `json:"before"` // records appended before this time (RFC 3339) were due
	Hash   string `json:"hash"`
	Seq    int64  `json:"seq"`
}

// BodyOf returns e's body.
func BodyOf(e *probity.Evidence) Body {
	b := Body{
		Attributes: e.Attributes, AWSAccountID: e.AWSAccountID, AWSOrganization: e.AWSOrganization,
		Blobs: e.Blobs, ComplianceCheck: e.ComplianceCheck, ControlID: e.ControlID,
		ControlName: e.ControlName, ControlSetID: e.ControlSetID, DataSource: e.DataSource,
		EvidenceAWSAccountID: e.EvidenceAWSAccountID, EvidenceByType: e.EvidenceByType,
		EventName: e.EventName, EventSource: e.EventSource, IAMID: e.IAMID,
		Time: e.Time.UTC().Format(time.RFC3339Nano),
	}
	for _, r := range e.ResourcesIncluded {
		b.ResourcesIncluded = append(b.ResourcesIncluded, Resource{ARN: r.ARN, ComplianceCheck: r.ComplianceCheck, Value: r.Value})
	}
	return b
}

// AppendBody appends e's canonical body to dst. It returns an error when a string of e is
// not valid UTF-8.
func AppendBody(dst []byte, e *probity.Evidence) ([]byte, error) {
	w := writer{b: dst}
	w.b = append(w.b, '{')
	first := true
	member := func(name string) {
		if !first {
			w.b = append(w.b, ',')
		}
		first = false
		w.b = append(w.b, '"')
		w.b = append(w.b, name...)
		w.b = append(w.b, '"', ':')
	}
	str := func(name, v string) {
		if v != "" {
			member(name)
			w.str(v)
		}
	}
	if len(e.Attributes) > 0 {
		member("attributes")
		w.object(e.Attributes)
	}
	str("awsAccountId", e.AWSAccountID)
	str("awsOrganization", e.AWSOrganization)
	if len(e.Blobs) > 0 {
		member("blobs")
		w.b = append(w.b, '[')
		for i, s := range e.Blobs {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.str(s)
		}
		w.b = append(w.b, ']')
	}
	str("complianceCheck", e.ComplianceCheck)
	str("controlId", e.ControlID)
	str("controlName", e.ControlName)
	str("controlSetId", e.ControlSetID)
	str("dataSource", e.DataSource)
	str("eventName", e.EventName)
	str("eventSource", e.EventSource)
	str("evidenceAwsAccountId", e.EvidenceAWSAccountID)
	str("evidenceByType", e.EvidenceByType)
	str("iamId", e.IAMID)
	if len(e.ResourcesIncluded) > 0 {
		member("resourcesIncluded")
		w.b = append(w.b, '[')
		for i, r := range e.ResourcesIncluded {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, '{')
			n := 0
			for _, m := range [3][2]string{{"arn", r.ARN}, {"complianceCheck", r.ComplianceCheck}, {"value", r.Value}} {
				if m[1] == "" {
					continue
				}
				if n > 0 {
					w.b = append(w.b, ',')
				}
				n++
				w.b = append(w.b, '"')
				w.b = append(w.b, m[0]...)
				w.b = append(w.b, '"', ':')
				w.str(m[1])
			}
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	member("time")
	w.b = append(w.b, '"')
	w.b = e.Time.UTC().AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"', '}')
	if w.bad {
		return dst, errors.New("evidence: a member is not valid UTF-8")
	}
	return w.b, nil
}

// Decode fills e's body members from a stored body. It returns an error when body is not a
// body's JSON.
func Decode(body []byte, e *probity.Evidence) error {
	var b Body
	if err := json.Unmarshal(body, &b); err != nil {
		return fmt.Errorf("evidence body: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, b.Time)
	if err != nil {
		return fmt.Errorf("evidence body: time: %w", err)
	}
	e.Attributes, e.AWSAccountID, e.AWSOrganization, e.Blobs = b.Attributes, b.AWSAccountID, b.AWSOrganization, b.Blobs
	e.ComplianceCheck, e.ControlID, e.ControlName, e.ControlSetID = b.ComplianceCheck, b.ControlID, b.ControlName, b.ControlSetID
	e.DataSource, e.EvidenceAWSAccountID, e.EvidenceByType = b.DataSource, b.EvidenceAWSAccountID, b.EvidenceByType
	e.EventName, e.EventSource, e.IAMID, e.Time = b.EventName, b.EventSource, b.IAMID, t
	e.ResourcesIncluded = nil
	for _, r := range b.ResourcesIncluded {
		e.ResourcesIncluded = append(e.ResourcesIncluded, probity.EvidenceResource{ARN: r.ARN, Value: r.Value, ComplianceCheck: r.ComplianceCheck})
	}
	return nil
}

// Chain returns the chain hash of a record (see the package comment). scratch, when not
// nil, is reused for the envelope.
func Chain(prev canon.Digest, seq int64, id, folder, kind string, body []byte, scratch *[]byte) canon.Digest {
	var buf []byte
	if scratch != nil {
		buf = (*scratch)[:0]
	}
	buf = AppendEnvelope(buf, prev, seq, id, folder, kind, body)
	if scratch != nil {
		*scratch = buf
	}
	return canon.SumCanonical(buf)
}

// AppendEnvelope appends the canonical envelope of a record to dst. id, folder and kind
// are ledger-made strings (hex, UUIDs, names) that JSON need not escape.
func AppendEnvelope(dst []byte, prev canon.Digest, seq int64, id, folder, kind string, body []byte) []byte {
	dst = append(dst, `{"body":`...)
	dst = append(dst, body...)
	dst = append(dst, `,"folder":"`...)
	dst = append(dst, folder...)
	dst = append(dst, `","id":"`...)
	dst = append(dst, id...)
	dst = append(dst, `","kind":"`...)
	dst = append(dst, kind...)
	dst = append(dst, `","prev":"sha256:`...)
	const hexDigits = "0123456789abcdef"
	for _, c := range prev {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	dst = append(dst, `","seq":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	return append(dst, '}')
}

type writer struct {
	b   []byte
	bad bool
}

// str writes s as canon does: only the quote, the backslash and control characters are
// escaped.
func (w *writer) str(s string) {
	if !utf8.ValidString(s) {
		w.bad = true
	}
	w.b = append(w.b, '"')
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			w.b = append(w.b, '\\', c)
		case c >= 0x20:
			w.b = append(w.b, c)
		case c == '\b':
			w.b = append(w.b, '\\', 'b')
		case c == '\t':
			w.b = append(w.b, '\\', 't')
		case c == '\n':
			w.b = append(w.b, '\\', 'n')
		case c == '\f':
			w.b = append(w.b, '\\', 'f')
		case c == '\r':
			w.b = append(w.b, '\\', 'r')
		default:
			w.b = append(w.b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	w.b = append(w.b, '"')
}

// object writes a map with its names in the order of their UTF-16 code units.
func (w *writer) object(m map[string]string) {
	keys := make([]string, 0, len(m))
	ascii := true
	for k := range m {
		keys = append(keys, k)
		for i := 0; i < len(k) && ascii; i++ {
			ascii = k[i] < utf8.RuneSelf
		}
	}
	if ascii {
		slices.Sort(keys)
	} else {
		slices.SortFunc(keys, func(a, b string) int {
			return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
		})
	}
	w.b = append(w.b, '{')
	for i, k := range keys {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(k)
		w.b = append(w.b, ':')
		w.str(m[k])
	}
	w.b = append(w.b, '}')
}
