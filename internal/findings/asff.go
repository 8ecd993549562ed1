package findings

import (
	"strings"
)

// asffRecord is what Decode reads of an AWS Security Finding Format finding.
type asffRecord struct {
	ID            string            `json:"Id"`
	ProductArn    string            `json:"ProductArn"`
	ProductName   string            `json:"ProductName"`
	GeneratorID   string            `json:"GeneratorId"`
	AwsAccountID  string            `json:"AwsAccountId"`
	Region        string            `json:"Region"`
	Title         string            `json:"Title"`
	UpdatedAt     string            `json:"UpdatedAt"`
	ProductFields map[string]string `json:"ProductFields"`
	Resources     []asffResource    `json:"Resources"`
	Compliance    *asffCompliance   `json:"Compliance"`
}

// asffResource is a resource of an ASFF finding.
type asffResource struct {
	Type string `json:"Type"`
	ID   string `json:"Id"`
}

// asffCompliance is an ASFF finding's Compliance object.
type asffCompliance struct {
	Status              string         `json:"Status"`
	SecurityControlID   string         `json:"SecurityControlId"`
	RelatedRequirements []string       `json:"RelatedRequirements"`
	AssociatedStandards []asffStandard `json:"AssociatedStandards"`
}

// asffStandard is a standard an ASFF finding's control belongs to.
type asffStandard struct {
	StandardsID string `json:"StandardsId"`
}

// finding normalises the record, adding its problems to ps. The check is the Security
// Hub control (Compliance.SecurityControlId, else ProductFields.ControlId, else the
// GeneratorId); the time is UpdatedAt.
func (r *asffRecord) finding(rec int, ps *problems) Finding {
	f := Finding{ID: r.ID, Title: r.Title, Account: r.AwsAccountID, Region: r.Region, Provider: asffProvider(r)}
	for _, res := range r.Resources {
		f.Resources = append(f.Resources, Resource{ARN: res.ID, Type: res.Type})
	}
	checkField := "Compliance.SecurityControlId"
	switch c := r.Compliance; {
	case c != nil && c.SecurityControlID != "":
		f.CheckID = c.SecurityControlID
	case r.ProductFields["ControlId"] != "":
		f.CheckID = r.ProductFields["ControlId"]
	default:
		f.CheckID = r.GeneratorID
		checkField = "GeneratorId"
	}
	if c := r.Compliance; c == nil || c.Status == "" {
		ps.add(rec, "Compliance.Status", "is required: only compliance findings (PASSED, FAILED, WARNING, NOT_AVAILABLE) are evidence")
	} else if s, ok := normStatus(c.Status); ok && s != StatusManual {
		f.Status = s
	} else {
		ps.add(rec, "Compliance.Status", "must be PASSED, FAILED, WARNING or NOT_AVAILABLE, got %q", c.Status)
	}
	if r.UpdatedAt != "" {
		t, ok := parseTime(r.UpdatedAt)
		if !ok {
			ps.add(rec, "UpdatedAt", "must be an RFC 3339 time, got %q", r.UpdatedAt)
		}
		f.Time = t
	}
	checkCommon(&f, rec, ps, "AwsAccountId", checkField, "UpdatedAt")
	if c := r.Compliance; c != nil {
		for _, req := range c.RelatedRequirements {
			// "NIST.800-53.r5 AU-9": the framework, a space, the requirement.
			fw, id, ok := strings.Cut(strings.TrimSpace(req), " ")
			if !ok {
				fw, id = "", fw
			}
			f.Requirements = append(f.Requirements, Requirement{Framework: fw, ID: strings.TrimSpace(id)})
		}
		if c.SecurityControlID != "" {
			for _, s := range c.AssociatedStandards {
				f.Requirements = append(f.Requirements, Requirement{Framework: s.StandardsID, ID: c.SecurityControlID})
			}
		}
	}
	return f
}

// asffProvider names the product: the last part of its ARN (".../product/aws/securityhub"
// is "securityhub"), else its name.
func asffProvider(r *asffRecord) string {
	if _, p, ok := strings.Cut(r.ProductArn, ":product/"); ok {
		return strings.ToLower(p[strings.LastIndex(p, "/")+1:])
	}
	return strings.ToLower(r.ProductName)
}
