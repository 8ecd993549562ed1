package console

import (
	"net/http"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/store"
)

// settingsData is the settings page's data: the account's settings (a form for admins)
// and, for admins, the account's access keys.
type settingsData struct {
	Account  *probity.Account
	In       settingsForm
	Errors   FormErrors
	Keys     []store.AccessKey
	Levels   []auth.Level
	KeyIn    keyForm
	KeyErrs  FormErrors
	NewKey   *newKey // the key just created, its secret shown this once
	SelfName string
}

// settingsForm is the account settings form.
type settingsForm struct {
	SNSTopic, ReportsDestination, KMSKey string
	EvidenceFinder                       bool
}

// keyForm is the new access key form.
type keyForm struct{ Name, Level, ARN string }

// newKey is a key just created.
type newKey struct{ ID, Secret, Name string }

// settingsFields maps the settings' members to the form's fields; keyFields the key's.
var (
	settingsFields = map[string]string{"snsTopic": "snsTopic", "defaultAssessmentReportsDestination": "reportsDestination", "kmsKey": "kmsKey"}
	keyFields      = map[string]string{"name": "keyName", "role": "keyLevel", "arn": "keyArn", "account": ""}
)

// settings shows the account's settings and, to admins, its access keys.
func (c *Console) settings(w http.ResponseWriter, r *http.Request) error {
	d, err := c.settingsData(r)
	if err != nil {
		return err
	}
	return c.render(w, r, "settings", d)
}

func (c *Console) settingsData(r *http.Request) (*settingsData, error) {
	ctx, p := r.Context(), principal(r)
	a, err := c.cfg.Library.Account(ctx, p)
	if err != nil {
		return nil, err
	}
	d := &settingsData{Account: a, Levels: auth.Levels, SelfName: p.Name, KeyIn: keyForm{Level: string(auth.Viewer)},
		In: settingsForm{SNSTopic: a.Settings.SNSTopic, KMSKey: a.Settings.KMSKey, EvidenceFinder: a.Settings.EvidenceFinderEnabled}}
	if rd := a.Settings.ReportsDestination; rd != nil {
		d.In.ReportsDestination = rd.Destination
	}
	if can(r, auth.Admin) {
		if d.Keys, err = c.cfg.Keys.AccountKeys(ctx, p); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// settingsSave changes the account's settings through library.Service.UpdateSettings, as
// UpdateSettings does. An empty SNS topic removes it; an empty KMS key is the default.
func (c *Console) settingsSave(w http.ResponseWriter, r *http.Request) error {
	in := settingsForm{SNSTopic: strings.TrimSpace(r.PostFormValue("snsTopic")), ReportsDestination: strings.TrimSpace(r.PostFormValue("reportsDestination")),
		KMSKey: strings.TrimSpace(r.PostFormValue("kmsKey")), EvidenceFinder: r.PostFormValue("evidenceFinder") == "on"}
	ch := library.SettingsChange{SNSTopic: &in.SNSTopic, KMSKey: &in.KMSKey, EvidenceFinderEnabled: &in.EvidenceFinder}
	if in.SNSTopic == "" {
		none := "NONE"
		ch.SNSTopic = &none
	}
	if in.KMSKey == "" {
		def := "DEFAULT"
		ch.KMSKey = &def
	}
	if in.ReportsDestination != "" {
		ch.ReportsDestination = &probity.Destination{Type: "S3", Destination: in.ReportsDestination}
	}
	if _, err := c.cfg.Library.UpdateSettings(r.Context(), principal(r), ch); err != nil {
		fe, ok := formErrors(err, settingsFields)
		if !ok {
			return err
		}
		d, derr := c.settingsData(r)
		if derr != nil {
			return derr
		}
		d.In, d.Errors = in, fe
		return c.renderStatus(w, r, http.StatusBadRequest, "settings", d)
	}
	http.Redirect(w, r, Prefix+"settings?done=saved", http.StatusSeeOther)
	return nil
}

// keyCreate makes an access key of the caller's account and shows its secret once.
func (c *Console) keyCreate(w http.ResponseWriter, r *http.Request) error {
	in := keyForm{Name: strings.TrimSpace(r.PostFormValue("keyName")), Level: r.PostFormValue("keyLevel"), ARN: strings.TrimSpace(r.PostFormValue("keyArn"))}
	k, secret, err := c.cfg.Keys.CreateForAccount(r.Context(), principal(r), in.Name, auth.Level(in.Level), in.ARN)
	d, derr := c.settingsData(r)
	if derr != nil {
		return derr
	}
	if err != nil {
		fe, ok := formErrors(err, keyFields)
		if !ok {
			return err
		}
		d.KeyIn, d.KeyErrs = in, fe
		return c.renderStatus(w, r, http.StatusBadRequest, "settings", d)
	}
	// Not a redirect: the secret is shown on this response only, and kept nowhere.
	d.NewKey = &newKey{ID: k.KeyID, Secret: secret, Name: k.Name}
	return c.render(w, r, "settings", d)
}

// keyDelete deletes an access key of the caller's account.
func (c *Console) keyDelete(w http.ResponseWriter, r *http.Request) error {
	if err := c.cfg.Keys.DeleteForAccount(r.Context(), principal(r), r.PostFormValue("keyName")); err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"settings?done=deleted#keys", http.StatusSeeOther)
	return nil
}
