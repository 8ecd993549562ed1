package findings

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvColumns are the columns of Prowler's CSV that Decode reads; the others are ignored.
var csvColumns = []string{"TIMESTAMP", "ACCOUNT_UID", "FINDING_UID", "CHECK_ID", "CHECK_TITLE", "STATUS",
	"RESOURCE_TYPE", "RESOURCE_UID", "REGION", "COMPLIANCE"}

// decodeCSV reads Prowler's semicolon-separated CSV: a header row, then one finding a row.
// COMPLIANCE is "FRAMEWORK: ID, ID | FRAMEWORK: ID".
func decodeCSV(br *bufio.Reader) ([]Finding, error) {
	cr := csv.NewReader(br)
	cr.Comma = ';'
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	var ps problems
	header, err := cr.Read()
	if err != nil {
		return nil, csvReadErr(&ps, 0, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, c := range csvColumns {
		if _, ok := col[c]; !ok {
			ps.add(0, "header", "has no %s column (is this Prowler's CSV output, separated by semicolons?)", c)
		}
	}
	if err := ps.err(FormatCSV); err != nil {
		return nil, err
	}
	var out []Finding
	for rec := 1; ; rec++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvReadErr(&ps, rec, err)
		}
		if len(row) != len(header) {
			ps.add(rec, "", "has %d fields, the header %d", len(row), len(header))
			continue
		}
		get := func(c string) string { return strings.TrimSpace(row[col[c]]) }
		f := Finding{ID: get("FINDING_UID"), Provider: "prowler", CheckID: get("CHECK_ID"), Title: get("CHECK_TITLE"),
			Account: get("ACCOUNT_UID"), Region: get("REGION")}
		if uid := get("RESOURCE_UID"); uid != "" {
			f.Resources = []Resource{{ARN: uid, Type: get("RESOURCE_TYPE")}}
		}
		if s, ok := normStatus(get("STATUS")); ok {
			f.Status = s
		} else {
			ps.add(rec, "STATUS", "must be PASS, FAIL, MANUAL, WARNING or NOT_AVAILABLE, got %q", get("STATUS"))
		}
		if ts := get("TIMESTAMP"); ts != "" {
			t, ok := parseTime(ts)
			if !ok {
				ps.add(rec, "TIMESTAMP", "must be a time such as 2025-02-14 14:27:03, got %q", ts)
			}
			f.Time = t
		}
		checkCommon(&f, rec, &ps, "ACCOUNT_UID", "CHECK_ID", "TIMESTAMP")
		reqs, bad := csvCompliance(get("COMPLIANCE"))
		if bad != "" {
			ps.add(rec, "COMPLIANCE", "%s", bad)
		}
		f.Requirements = reqs
		out = append(out, f)
	}
	if err := ps.err(FormatCSV); err != nil {
		return nil, err
	}
	return out, nil
}

// csvCompliance parses a COMPLIANCE cell, or says what is wrong with it.
func csvCompliance(s string) ([]Requirement, string) {
	if s == "" {
		return nil, ""
	}
	var out []Requirement
	for part := range strings.SplitSeq(s, "|") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fw, ids, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Sprintf("%q must be FRAMEWORK: ID[, ID]", part)
		}
		for id := range strings.SplitSeq(ids, ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, Requirement{Framework: strings.TrimSpace(fw), ID: id})
			}
		}
	}
	return out, ""
}

// csvReadErr reports a row that cannot be read as CSV; reading stops there.
func csvReadErr(ps *problems, rec int, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		ps.add(rec, "", "not valid CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
		return ps.err(FormatCSV)
	}
	if errors.Is(err, io.EOF) {
		ps.add(0, "header", "is missing: the file is empty")
		return ps.err(FormatCSV)
	}
	return fmt.Errorf("read findings: %w", err)
}
