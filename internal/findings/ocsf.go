package findings

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// ocsfRecord is what Decode reads of an OCSF 1.x finding (Compliance Finding, class 2003,
// or Prowler's Detection Finding, class 2004).
type ocsfRecord struct {
	Metadata struct {
		EventCode string `json:"event_code"`
		Product   struct {
			UID  string `json:"uid"`
			Name string `json:"name"`
		} `json:"product"`
	} `json:"metadata"`
	StatusCode  string `json:"status_code"`
	Compliance  *ocsfCompliance
	FindingInfo struct {
		UID   string `json:"uid"`
		Title string `json:"title"`
	} `json:"finding_info"`
	Cloud struct {
		Account struct {
			UID string `json:"uid"`
		} `json:"account"`
		Region string `json:"region"`
	} `json:"cloud"`
	Resources []ocsfResource `json:"resources"`
	Time      json.Number    `json:"time"`
	TimeDT    string         `json:"time_dt"`
	Unmapped  struct {
		Compliance map[string][]string `json:"compliance"`
	} `json:"unmapped"`
}

// ocsfResource is a resource of an OCSF finding.
type ocsfResource struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	Region string `json:"region"`
}

// ocsfCompliance is OCSF's compliance object.
type ocsfCompliance struct {
	Control      string   `json:"control"`
	Requirements []string `json:"requirements"`
	Standards    []string `json:"standards"`
	Status       string   `json:"status"`
}

// finding normalises the record, adding its problems to ps.
func (r *ocsfRecord) finding(rec int, ps *problems) Finding {
	f := Finding{
		ID: r.FindingInfo.UID, Title: r.FindingInfo.Title, CheckID: r.Metadata.EventCode,
		Provider: strings.ToLower(r.Metadata.Product.UID), Account: r.Cloud.Account.UID, Region: r.Cloud.Region,
	}
	if f.Provider == "" {
		f.Provider = strings.ToLower(r.Metadata.Product.Name)
	}
	if f.Provider == "" {
		ps.add(rec, "metadata.product.uid", "is required: the tool that produced the finding")
	}
	for _, res := range r.Resources {
		f.Resources = append(f.Resources, Resource{ARN: res.UID, Type: res.Type})
		if f.Region == "" {
			f.Region = res.Region
		}
	}
	statusField, status := "status_code", r.StatusCode
	if status == "" && r.Compliance != nil {
		statusField, status = "compliance.status", r.Compliance.Status
	}
	if s, ok := normStatus(status); ok {
		f.Status = s
	} else if status == "" {
		ps.add(rec, "status_code", "is required: PASS, FAIL, MANUAL, WARNING or NOT_AVAILABLE")
	} else {
		ps.add(rec, statusField, "must be PASS, FAIL, MANUAL, WARNING or NOT_AVAILABLE, got %q", status)
	}
	timeField := "time_dt"
	switch {
	case r.TimeDT != "":
		t, ok := parseTime(r.TimeDT)
		if !ok {
			ps.add(rec, "time_dt", "must be an ISO 8601 time, got %q", r.TimeDT)
		}
		f.Time = t
	case r.Time != "":
		timeField = "time"
		n, err := r.Time.Int64()
		if err != nil || n <= 0 {
			ps.add(rec, "time", "must be a positive whole number of milliseconds (or seconds) since 1970, got %s", r.Time)
			break
		}
		// OCSF says milliseconds; Prowler writes seconds. A count of seconds passes 1e11
		// only in the year 5138.
		if n < 1e11 {
			f.Time = time.Unix(n, 0).UTC()
		} else {
			f.Time = time.UnixMilli(n).UTC()
		}
	}
	if f.Time.IsZero() && r.TimeDT == "" && r.Time == "" {
		timeField = "time"
	}
	checkCommon(&f, rec, ps, "cloud.account.uid", "metadata.event_code", timeField)
	f.Requirements = mapRequirements(r.Unmapped.Compliance)
	if c := r.Compliance; c != nil {
		standard := strings.Join(c.Standards, ",")
		for _, id := range c.Requirements {
			f.Requirements = append(f.Requirements, Requirement{Framework: standard, ID: id})
		}
	}
	return f
}

// mapRequirements returns the requirements of a framework -> ids map, in the order of
// the frameworks' names.
func mapRequirements(m map[string][]string) []Requirement {
	if len(m) == 0 {
		return nil
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Requirement
	for _, k := range names {
		for _, id := range m[k] {
			out = append(out, Requirement{Framework: k, ID: strings.TrimSpace(id)})
		}
	}
	return out
}

// normStatus returns the Status constant for a format's status word, whatever its case:
// PASS/PASSED, FAIL/FAILED, WARNING, MANUAL, NOT_AVAILABLE/UNKNOWN.
func normStatus(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "PASS", "PASSED":
		return StatusPass, true
	case "FAIL", "FAILED":
		return StatusFail, true
	case "WARNING":
		return StatusWarning, true
	case "MANUAL":
		return StatusManual, true
	case "NOT_AVAILABLE", "UNKNOWN":
		return StatusNotAvailable, true
	}
	return "", false
}
