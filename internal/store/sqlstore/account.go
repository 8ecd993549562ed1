package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/probity-dev/probity"
)

// settingsRow is how the accounts table keeps probity.Settings: JSON with these member
// names, which are the storage format and change only with a migration.
type settingsRow struct {
	SNSTopic              string          `json:"snsTopic,omitempty"`
	ReportsDestination    *destinationRow `json:"defaultAssessmentReportsDestination,omitempty"`
	ProcessOwners         []roleRow       `json:"defaultProcessOwners,omitempty"`
	KMSKey                string          `json:"kmsKey,omitempty"`
	EvidenceFinderEnabled bool            `json:"evidenceFinderEnabled,omitempty"`
	DeregistrationPolicy  *struct {
		DeleteResources string `json:"deleteResources,omitempty"`
	} `json:"deregistrationPolicy,omitempty"`
	ExportDestination *destinationRow `json:"defaultExportDestination,omitempty"`
}

type destinationRow struct {
	DestinationType string `json:"destinationType,omitempty"`
	Destination     string `json:"destination,omitempty"`
}

type roleRow struct {
	RoleType string `json:"roleType"`
	RoleARN  string `json:"roleArn"`
}

func toDestinationRow(d *probity.Destination) *destinationRow {
	if d == nil {
		return nil
	}
	return &destinationRow{DestinationType: d.Type, Destination: d.Destination}
}

func (d *destinationRow) domain() *probity.Destination {
	if d == nil {
		return nil
	}
	return &probity.Destination{Type: d.DestinationType, Destination: d.Destination}
}

func encodeSettings(s probity.Settings) (string, error) {
	row := settingsRow{SNSTopic: s.SNSTopic, ReportsDestination: toDestinationRow(s.ReportsDestination),
		KMSKey: s.KMSKey, EvidenceFinderEnabled: s.EvidenceFinderEnabled, ExportDestination: toDestinationRow(s.ExportDestination)}
	for _, r := range s.ProcessOwners {
		row.ProcessOwners = append(row.ProcessOwners, roleRow{RoleType: r.Type, RoleARN: r.ARN})
	}
	if s.DeleteResources != "" {
		row.DeregistrationPolicy = &struct {
			DeleteResources string `json:"deleteResources,omitempty"`
		}{s.DeleteResources}
	}
	b, err := json.Marshal(row)
	return string(b), err
}

func decodeSettings(text string) (probity.Settings, error) {
	var row settingsRow
	if err := json.Unmarshal([]byte(text), &row); err != nil {
		return probity.Settings{}, err
	}
	s := probity.Settings{SNSTopic: row.SNSTopic, ReportsDestination: row.ReportsDestination.domain(),
		KMSKey: row.KMSKey, EvidenceFinderEnabled: row.EvidenceFinderEnabled, ExportDestination: row.ExportDestination.domain()}
	for _, r := range row.ProcessOwners {
		s.ProcessOwners = append(s.ProcessOwners, probity.RoleRef{Type: r.RoleType, ARN: r.RoleARN})
	}
	if row.DeregistrationPolicy != nil {
		s.DeleteResources = row.DeregistrationPolicy.DeleteResources
	}
	return s, nil
}

// Account implements store.AccountReader.
func (r reader) Account(ctx context.Context, id string) (*probity.Account, error) {
	var a probity.Account
	var settings string
	var updated int64
	err := r.q.QueryRowContext(ctx, r.db.rebind(`SELECT id, status, settings, updated_at FROM accounts WHERE id = ?`), id).
		Scan(&a.ID, &a.Status, &settings, &updated)
	if isNoRows(err) {
		return nil, probity.Errorf(probity.ENOTFOUND, "account %s has no stored state", id)
	} else if err != nil {
		return nil, fmt.Errorf("get account: %w", err)
	}
	if a.Settings, err = decodeSettings(settings); err != nil {
		return nil, fmt.Errorf("account %s: settings: %w", id, err)
	}
	a.UpdatedAt = time.Unix(0, updated).UTC()
	return &a, nil
}

// PutAccount implements store.AccountWriter.
func (w *writer) PutAccount(ctx context.Context, a *probity.Account) error {
	settings, err := encodeSettings(a.Settings)
	if err != nil {
		return fmt.Errorf("account %s: settings: %w", a.ID, err)
	}
	_, err = w.q.ExecContext(ctx, w.db.rebind(`INSERT INTO accounts (id, status, settings, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, settings = excluded.settings, updated_at = excluded.updated_at`),
		a.ID, string(a.Status), settings, a.UpdatedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("put account: %w", err)
	}
	return nil
}
