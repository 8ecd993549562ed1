package amapi

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Account statuses.
const (
	accountActive   = "ACTIVE"
	accountInactive = "INACTIVE"
)

// settings is the settings document of one account as stored. Absent members take the
// defaults of settingsOut.
type settings struct {
	SNSTopic              string       `json:"snsTopic,omitempty"`
	ReportsDestination    *destination `json:"defaultAssessmentReportsDestination,omitempty"`
	ProcessOwners         []role       `json:"defaultProcessOwners,omitempty"`
	KMSKey                string       `json:"kmsKey,omitempty"`
	EvidenceFinderEnabled bool         `json:"evidenceFinderEnabled,omitempty"`
	DeregistrationPolicy  *deregPolicy `json:"deregistrationPolicy,omitempty"`
	ExportDestination     *destination `json:"defaultExportDestination,omitempty"`
}

type destination struct {
	DestinationType string `json:"destinationType,omitempty"`
	Destination     string `json:"destination,omitempty"`
}

type role struct {
	RoleType string `json:"roleType"`
	RoleARN  string `json:"roleArn"`
}

type deregPolicy struct {
	DeleteResources string `json:"deleteResources,omitempty"`
}

type evidenceFinder struct {
	EnablementStatus string `json:"enablementStatus"`
}

type settingsOut struct {
	IsAwsOrgEnabled          *bool           `json:"isAwsOrgEnabled,omitempty"`
	SNSTopic                 string          `json:"snsTopic,omitempty"`
	ReportsDestination       *destination    `json:"defaultAssessmentReportsDestination,omitempty"`
	ProcessOwners            []role          `json:"defaultProcessOwners,omitempty"`
	KMSKey                   string          `json:"kmsKey,omitempty"`
	EvidenceFinderEnablement *evidenceFinder `json:"evidenceFinderEnablement,omitempty"`
	DeregistrationPolicy     *deregPolicy    `json:"deregistrationPolicy,omitempty"`
	ExportDestination        *destination    `json:"defaultExportDestination,omitempty"`
}

// readAccount returns the stored state of an account; an account never stored is ACTIVE
// with default settings, because Probity serves every account it has keys for.
func readAccount(ctx context.Context, st store.AccountReader, id string) (*store.Account, settings, error) {
	a, err := st.Account(ctx, id)
	if probity.ErrorCode(err) == probity.ENOTFOUND {
		return &store.Account{ID: id, Status: accountActive}, settings{}, nil
	} else if err != nil {
		return nil, settings{}, err
	}
	var s settings
	if len(a.Settings) > 0 {
		if err := json.Unmarshal(a.Settings, &s); err != nil {
			return nil, settings{}, fmt.Errorf("account %s: settings: %w", id, err)
		}
	}
	return a, s, nil
}

// editAccount reads the account, lets edit change it, and writes it back, all in one
// serialised transaction, so that concurrent changes never undo each other.
func (h *Handler) editAccount(ctx context.Context, id string, now time.Time, edit func(*store.Account, *settings)) (*store.Account, settings, error) {
	var a *store.Account
	var s settings
	err := h.cfg.Store.Update(ctx, store.LockAccounts, func(tx store.Tx) error {
		var err error
		if a, s, err = readAccount(ctx, tx, id); err != nil {
			return err
		}
		edit(a, &s)
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("account %s: settings: %w", a.ID, err)
		}
		a.Settings, a.UpdatedAt = b, now
		return tx.PutAccount(ctx, a)
	})
	return a, s, err
}

// out returns the wire form of the settings: every member for ALL, else the one the
// attribute names.
func (s settings) out(attribute string) settingsOut {
	all := attribute == "ALL"
	var o settingsOut
	if all || attribute == "IS_AWS_ORG_ENABLED" {
		f := false
		o.IsAwsOrgEnabled = &f
	}
	if all || attribute == "SNS_TOPIC" {
		o.SNSTopic = s.SNSTopic
	}
	if all || attribute == "DEFAULT_ASSESSMENT_REPORTS_DESTINATION" {
		o.ReportsDestination = s.ReportsDestination
	}
	if all || attribute == "DEFAULT_PROCESS_OWNERS" {
		o.ProcessOwners = s.ProcessOwners
	}
	if all {
		o.KMSKey = cmpOr(s.KMSKey, "DEFAULT")
	}
	if all || attribute == "EVIDENCE_FINDER_ENABLEMENT" {
		status := "DISABLED"
		if s.EvidenceFinderEnabled {
			status = "ENABLED"
		}
		o.EvidenceFinderEnablement = &evidenceFinder{EnablementStatus: status}
	}
	if all || attribute == "DEREGISTRATION_POLICY" {
		o.DeregistrationPolicy = s.DeregistrationPolicy
		if o.DeregistrationPolicy == nil {
			o.DeregistrationPolicy = &deregPolicy{DeleteResources: "DEFAULT"}
		}
	}
	if all || attribute == "DEFAULT_EXPORT_DESTINATION" {
		o.ExportDestination = s.ExportDestination
	}
	return o
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

var settingAttributes = []string{"ALL", "IS_AWS_ORG_ENABLED", "SNS_TOPIC", "DEFAULT_ASSESSMENT_REPORTS_DESTINATION",
	"DEFAULT_PROCESS_OWNERS", "EVIDENCE_FINDER_ENABLEMENT", "DEREGISTRATION_POLICY", "DEFAULT_EXPORT_DESTINATION"}

type settingsResponse struct {
	Settings settingsOut `json:"settings"`
}

func getSettings(ctx context.Context, h *Handler, c *call) (any, error) {
	attr := c.r.PathValue("attribute")
	if !slices.Contains(settingAttributes, attr) {
		return nil, invalidField("attribute", "must be one of %s", strings.Join(settingAttributes, ", "))
	}
	_, s, err := readAccount(ctx, h.cfg.Store, c.caller.AccountID)
	if err != nil {
		return nil, err
	}
	return settingsResponse{s.out(attr)}, nil
}

var (
	snsARN    = regexp.MustCompile(`^arn:.*:sns:.*|NONE$`)
	kmsKey    = regexp.MustCompile(`^arn:.*:kms:.*|DEFAULT$`)
	s3URL     = regexp.MustCompile(`^(S|s)3:\/\/[a-zA-Z0-9\-\.\(\)\'\*\_\!\=\+\@\:\s\,\?\/]+$`)
	iamARN    = regexp.MustCompile(`^arn:.*:iam:.*`)
	account12 = regexp.MustCompile(`^[0-9]{12}$`)
)

// fieldChecker collects broken rules of a request's members, like the domain's checks.
type fieldChecker struct{ fields []probity.FieldError }

func (f *fieldChecker) check(ok bool, name, format string, args ...any) {
	if !ok {
		f.fields = append(f.fields, probity.FieldError{Name: name, Message: fmt.Sprintf(format, args...)})
	}
}

// text checks a single-line member: the domain's rules for text (see probity.TextKind),
// then the length and pattern.
func (f *fieldChecker) text(name, v string, min, max int, re *regexp.Regexp, hint string) {
	if reason := probity.CheckText(v, probity.SingleLine); reason != "" {
		f.check(false, name, "%s", reason)
		return
	}
	n := utf8.RuneCountInString(v)
	f.check(n >= min && n <= max && (re == nil || re.MatchString(v)), name, "must be %d to %d characters and %s", min, max, hint)
}

func (f *fieldChecker) err() error {
	if len(f.fields) == 0 {
		return nil
	}
	return &probity.Error{Code: probity.EINVALID, Message: "invalid request", Fields: f.fields}
}

func (f *fieldChecker) destination(name string, d *destination) {
	if d == nil {
		return
	}
	f.check(d.DestinationType == "" || d.DestinationType == "S3", name+".destinationType", "must be S3")
	f.text(name+".destination", d.Destination, 1, 1024, s3URL, "an s3:// URL")
}

func updateSettings(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		SNSTopic              *string      `json:"snsTopic"`
		ReportsDestination    *destination `json:"defaultAssessmentReportsDestination"`
		ProcessOwners         []role       `json:"defaultProcessOwners"`
		KMSKey                *string      `json:"kmsKey"`
		EvidenceFinderEnabled *bool        `json:"evidenceFinderEnabled"`
		DeregistrationPolicy  *deregPolicy `json:"deregistrationPolicy"`
		ExportDestination     *destination `json:"defaultExportDestination"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var ck fieldChecker
	if in.SNSTopic != nil {
		ck.text("snsTopic", *in.SNSTopic, 4, 2048, snsARN, "an SNS topic ARN or NONE")
	}
	if in.KMSKey != nil {
		ck.text("kmsKey", *in.KMSKey, 7, 2048, kmsKey, "a KMS key ARN or DEFAULT")
	}
	ck.destination("defaultAssessmentReportsDestination", in.ReportsDestination)
	ck.destination("defaultExportDestination", in.ExportDestination)
	for i, r := range in.ProcessOwners {
		name := fmt.Sprintf("defaultProcessOwners[%d]", i)
		ck.check(r.RoleType == "PROCESS_OWNER" || r.RoleType == "RESOURCE_OWNER", name+".roleType", "must be PROCESS_OWNER or RESOURCE_OWNER")
		ck.text(name+".roleArn", r.RoleARN, 20, 2048, iamARN, "an IAM ARN")
	}
	if p := in.DeregistrationPolicy; p != nil {
		ck.check(p.DeleteResources == "ALL" || p.DeleteResources == "DEFAULT", "deregistrationPolicy.deleteResources", "must be ALL or DEFAULT")
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	_, s, err := h.editAccount(ctx, c.caller.AccountID, c.now, func(_ *store.Account, s *settings) {
		if in.SNSTopic != nil {
			s.SNSTopic = *in.SNSTopic
			if s.SNSTopic == "NONE" {
				s.SNSTopic = ""
			}
		}
		if in.KMSKey != nil {
			s.KMSKey = *in.KMSKey
		}
		if in.ReportsDestination != nil {
			s.ReportsDestination = in.ReportsDestination
		}
		if in.ExportDestination != nil {
			s.ExportDestination = in.ExportDestination
		}
		if in.ProcessOwners != nil {
			s.ProcessOwners = in.ProcessOwners
		}
		if in.EvidenceFinderEnabled != nil {
			s.EvidenceFinderEnabled = *in.EvidenceFinderEnabled
		}
		if in.DeregistrationPolicy != nil {
			s.DeregistrationPolicy = in.DeregistrationPolicy
		}
	})
	if err != nil {
		return nil, err
	}
	return settingsResponse{s.out("ALL")}, nil
}

type statusResponse struct {
	Status string `json:"status"`
}

func getAccountStatus(ctx context.Context, h *Handler, c *call) (any, error) {
	a, _, err := readAccount(ctx, h.cfg.Store, c.caller.AccountID)
	if err != nil {
		return nil, err
	}
	return statusResponse{a.Status}, nil
}

func registerAccount(ctx context.Context, h *Handler, c *call) (any, error) {
	var in struct {
		KMSKey                *string `json:"kmsKey"`
		DelegatedAdminAccount *string `json:"delegatedAdminAccount"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var ck fieldChecker
	if in.KMSKey != nil {
		ck.text("kmsKey", *in.KMSKey, 7, 2048, kmsKey, "a KMS key ARN or DEFAULT")
	}
	if in.DelegatedAdminAccount != nil {
		ck.check(account12.MatchString(*in.DelegatedAdminAccount), "delegatedAdminAccount", "must be 12 digits")
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	a, _, err := h.editAccount(ctx, c.caller.AccountID, c.now, func(a *store.Account, s *settings) {
		a.Status = accountActive
		if in.KMSKey != nil {
			s.KMSKey = *in.KMSKey
		}
	})
	if err != nil {
		return nil, err
	}
	return statusResponse{a.Status}, nil
}

func deregisterAccount(ctx context.Context, h *Handler, c *call) (any, error) {
	a, _, err := h.editAccount(ctx, c.caller.AccountID, c.now, func(a *store.Account, _ *settings) {
		a.Status = accountInactive
	})
	if err != nil {
		return nil, err
	}
	return statusResponse{a.Status}, nil
}
