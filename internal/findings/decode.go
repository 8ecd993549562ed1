package findings

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/probity-dev/probity"
)

// Format names of Decode's input.
const (
	FormatOCSF = "ocsf"
	FormatASFF = "asff"
	FormatCSV  = "prowler-csv"
)

// MaxProblems bounds how many problems Decode reports of one file; the rest are counted.
const MaxProblems = 1000

// Problem is what is wrong with one record of a findings file: Record counts from 1 (for
// CSV, the data rows after the header), Field names the member in the format's own words.
type Problem struct {
	Record int
	Field  string
	Reason string
}

func (p Problem) String() string {
	if p.Record == 0 {
		return p.Field + ": " + p.Reason
	}
	if p.Field == "" {
		return fmt.Sprintf("record %d: %s", p.Record, p.Reason)
	}
	return fmt.Sprintf("record %d: %s: %s", p.Record, p.Field, p.Reason)
}

// problems collects a file's problems.
type problems struct {
	list  []Problem
	extra int
}

func (ps *problems) add(rec int, field, format string, args ...any) {
	if len(ps.list) >= MaxProblems {
		ps.extra++
		return
	}
	ps.list = append(ps.list, Problem{Record: rec, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// err returns an EINVALID *probity.Error with one field per problem, or nil.
func (ps *problems) err(format string) error {
	if len(ps.list) == 0 {
		return nil
	}
	e := &probity.Error{Code: probity.EINVALID, Message: "The findings file (" + format + ") was refused; nothing was imported."}
	for _, p := range ps.list {
		name := p.Field
		if p.Record > 0 {
			name = "record " + strconv.Itoa(p.Record)
			if p.Field != "" {
				name += " " + p.Field
			}
		}
		e.Fields = append(e.Fields, probity.FieldError{Name: name, Message: p.Reason})
	}
	if ps.extra > 0 {
		e.Fields = append(e.Fields, probity.FieldError{Name: "file", Message: fmt.Sprintf("%d more problems not shown", ps.extra)})
	}
	return e
}

// Decode reads a findings file, whose format it recognises by its content: a JSON array
// of OCSF findings, a JSON array of ASFF findings (or an object with a Findings array, as
// BatchImportFindings takes), or Prowler's semicolon-separated CSV with its header. It
// reads CSV as a stream, one record at a time, and JSON whole (the findings are held
// in memory either way), and returns the findings only when the whole input is valid:
// a bad file yields no finding at all.
//
// It returns the format and, for a bad file, an EINVALID *probity.Error whose fields name
// the record number and member of every problem (up to MaxProblems); for a failure to
// read, the reader's error.
func Decode(r io.Reader) (string, []Finding, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		return "", nil, err
	}
	if first != '[' && first != '{' {
		fs, err := decodeCSV(br)
		return FormatCSV, fs, err
	}
	// JSON is read whole, then decoded in one pass by the lean decoder (lean.go); a file
	// it gives up on is decoded again by encoding/json, which names every problem.
	b, err := io.ReadAll(br)
	if err != nil {
		return "", nil, fmt.Errorf("read findings: %w", err)
	}
	if format, fs, ok := decodeLean(b); ok {
		return format, fs, nil
	}
	return decodeJSON(bufio.NewReader(bytes.NewReader(b)))
}

// firstByte returns the first byte of the input that is not white space or a byte-order
// mark, leaving it unread; EINVALID for empty input.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return 0, probity.Errorf(probity.EINVALID, "the findings file is empty")
		}
		if err != nil {
			return 0, fmt.Errorf("read findings: %w", err)
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			br.UnreadByte()
			return b, nil
		}
	}
}

// decodeJSON reads a JSON array of findings (or {"Findings": [...]}), deciding from the
// first record whether they are OCSF or ASFF.
func decodeJSON(br *bufio.Reader) (string, []Finding, error) {
	dec := json.NewDecoder(br)
	var ps problems
	syntax := func(rec int, err error) (string, []Finding, error) {
		var se *json.SyntaxError
		var ue *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			ps.add(rec, "", "not valid JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &ue):
			ps.add(rec, ue.Field, "must be %s, got JSON %s", ue.Type, ue.Value)
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			ps.add(rec, "", "the file ends inside the record")
		default:
			return "", nil, fmt.Errorf("read findings: %w", err)
		}
		return "", nil, ps.err("JSON")
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(0, err)
	}
	if tok == json.Delim('{') {
		// {"Findings": [...]}: the body of BatchImportFindings.
		key, err := dec.Token()
		if err != nil {
			return syntax(0, err)
		}
		if k, _ := key.(string); k != "Findings" {
			ps.add(0, "file", "must be a JSON array of findings or an object with a Findings array, got an object with %q", key)
			return "", nil, ps.err("JSON")
		}
		if tok, err = dec.Token(); err != nil {
			return syntax(0, err)
		}
	}
	if tok != json.Delim('[') {
		ps.add(0, "file", "must be a JSON array of findings")
		return "", nil, ps.err("JSON")
	}
	format := ""
	var out []Finding
	for rec := 1; dec.More(); rec++ {
		if format == "" {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return syntax(rec, err)
			}
			format = sniff(raw)
			if format == "" {
				ps.add(rec, "", "is neither an OCSF finding (class_uid, metadata) nor an ASFF finding (SchemaVersion, AwsAccountId)")
				return "", nil, ps.err("JSON")
			}
			f, err := decodeOne(format, json.NewDecoder(bytes.NewReader(raw)), rec, &ps)
			if err != nil {
				return syntax(rec, err)
			}
			out = append(out, f)
			continue
		}
		f, err := decodeOne(format, dec, rec, &ps)
		if err != nil {
			return syntax(rec, err)
		}
		out = append(out, f)
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return syntax(0, err)
	}
	if format == "" {
		format = "JSON"
	}
	if err := ps.err(format); err != nil {
		return format, nil, err
	}
	return format, out, nil
}

// sniff returns the format of one JSON record, or "".
func sniff(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	// Keys are compared exactly: encoding/json would match them without regard to case.
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case has("class_uid") || has("metadata"):
		return FormatOCSF
	case has("SchemaVersion") || has("AwsAccountId"):
		return FormatASFF
	}
	return ""
}

// decodeOne decodes the next record of dec in format and checks it, adding its problems
// to ps. It returns an error only when the JSON itself cannot be read.
func decodeOne(format string, dec *json.Decoder, rec int, ps *problems) (Finding, error) {
	if format == FormatOCSF {
		var r ocsfRecord
		if err := dec.Decode(&r); err != nil {
			return Finding{}, err
		}
		return r.finding(rec, ps), nil
	}
	var r asffRecord
	if err := dec.Decode(&r); err != nil {
		return Finding{}, err
	}
	return r.finding(rec, ps), nil
}

// checkCommon adds the problems that every format shares to ps.
func checkCommon(f *Finding, rec int, ps *problems, accountField, checkField, timeField string) {
	if !isAccount(f.Account) {
		if f.Account == "" {
			ps.add(rec, accountField, "is required: the 12-digit AWS account the finding is about")
		} else {
			ps.add(rec, accountField, "must be a 12-digit AWS account id, got %q", f.Account)
		}
	}
	if f.CheckID == "" {
		ps.add(rec, checkField, "is required")
	}
	if f.Time.IsZero() {
		ps.add(rec, timeField, "is required")
	}
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseTime reads a time as the formats write it: RFC 3339, or ISO 8601 without a zone
// (UTC), with or without fractions of a second, with a T or a space.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
