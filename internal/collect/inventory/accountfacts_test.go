package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// motoGaps are the parts a snapshot of moto skips because moto answers their API with a
// 404, which the inventory reads as an API the endpoint lacks.
var motoGaps = []string{"macie2.automatedDiscovery", "backup.vaults"}

// withoutMotoGaps returns the skips other than those of APIs moto lacks: motoGaps, and
// the operations of mototest.Unimplemented, which mototest answers with a 501.
func withoutMotoGaps(skips []inventory.Skip) []inventory.Skip {
	var out []inventory.Skip
	for _, s := range skips {
		if !slices.Contains(motoGaps, s.Part) && !strings.Contains(s.Error, "moto does not implement") {
			out = append(out, s)
		}
	}
	return out
}

// TestAccountFacts seeds a security contact, two Service Catalog portfolios (one shared
// with an account directly) and an organisation in moto, with Macie enabled, collects the
// global snapshot, and checks the facts macie2.*, account.AlternateContacts and
// servicecatalog.PortfolioShares and the rules that read them. Moto lacks
// GetAutomatedDiscoveryConfiguration (404), so that fact is skipped and
// MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK gives no result.
func TestAccountFacts(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account_, other = "123456789012", "444455556666"
	_, err := organizations.NewFromConfig(cfg).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	must(t, err)
	_, err = macie2.NewFromConfig(cfg).EnableMacie(ctx, &macie2.EnableMacieInput{})
	must(t, err)
	_, err = account.NewFromConfig(cfg).PutAlternateContact(ctx, &account.PutAlternateContactInput{AlternateContactType: accounttypes.AlternateContactTypeSecurity,
		EmailAddress: aws.String("security@example.com"), Name: aws.String("Sec Ops"), PhoneNumber: aws.String("+1-555-0100"), Title: aws.String("CISO")})
	must(t, err)
	sc := servicecatalog.NewFromConfig(cfg)
	shared, err := sc.CreatePortfolio(ctx, &servicecatalog.CreatePortfolioInput{DisplayName: aws.String("shared"), ProviderName: aws.String("it"), IdempotencyToken: aws.String("1")})
	must(t, err)
	private, err := sc.CreatePortfolio(ctx, &servicecatalog.CreatePortfolioInput{DisplayName: aws.String("private"), ProviderName: aws.String("it"), IdempotencyToken: aws.String("2")})
	must(t, err)
	_, err = sc.CreatePortfolioShare(ctx, &servicecatalog.CreatePortfolioShareInput{PortfolioId: shared.PortfolioDetail.Id, AccountId: aws.String(other)})
	must(t, err)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account_, Region: mototest.Region, Global: true})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()
	var got struct {
		Account map[string]json.RawMessage
		Skipped []struct{ Part string }
	}
	must(t, json.Unmarshal(raw, &got))
	sharedID, privateID := aws.ToString(shared.PortfolioDetail.Id), aws.ToString(private.PortfolioDetail.Id)
	want := map[string]string{
		"macie2.Session":              `{"findingPublishingFrequency":"FIFTEEN_MINUTES","status":"ENABLED"}`,
		"macie2.AdministratorAccount": `null`,
		"account.AlternateContacts": `{"SECURITY":{"AlternateContactType":"SECURITY","EmailAddress":"security@example.com",` +
			`"Name":"Sec Ops","PhoneNumber":"+1-555-0100","Title":"CISO"}}`,
		"servicecatalog.PortfolioShares": `{"` + privateID + `":[],"` + sharedID + `":[{"Accepted":true,"PrincipalId":"` + other +
			`","SharePrincipals":false,"ShareTagOptions":false,"Type":"ACCOUNT"}]}`,
	}
	if sharedID < privateID { // encoding/json writes map keys in order
		want["servicecatalog.PortfolioShares"] = `{"` + sharedID + `":[{"Accepted":true,"PrincipalId":"` + other +
			`","SharePrincipals":false,"ShareTagOptions":false,"Type":"ACCOUNT"}],"` + privateID + `":[]}`
	}
	facts := map[string]string{}
	for k := range want {
		facts[k] = compactJSON(t, got.Account[k])
	}
	if d := cmp.Diff(want, facts); d != "" {
		t.Errorf("facts (-want +got):\n%s", d)
	}
	if _, ok := got.Account["macie2.AutomatedDiscoveryConfiguration"]; ok {
		t.Errorf("macie2.AutomatedDiscoveryConfiguration recorded, but moto lacks the call")
	}
	skipped := false
	for _, s := range got.Skipped {
		skipped = skipped || s.Part == "macie2.automatedDiscovery"
	}
	if !skipped {
		t.Errorf("skipped %+v, want macie2.automatedDiscovery among them", got.Skipped)
	}

	results := map[string]map[string]string{}
	for _, id := range []string{"MACIE_STATUS_CHECK", "MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK", "SECURITY_ACCOUNT_INFORMATION_PROVIDED", "SERVICE_CATALOG_SHARED_WITHIN_ORGANIZATION"} {
		results[id] = evaluateRule(t, raw, id, nil)
	}
	wantResults := map[string]map[string]string{
		"MACIE_STATUS_CHECK":                         {account_: "COMPLIANT"},
		"MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK":  {},
		"SECURITY_ACCOUNT_INFORMATION_PROVIDED":      {account_: "COMPLIANT"},
		"SERVICE_CATALOG_SHARED_WITHIN_ORGANIZATION": {sharedID: "NON_COMPLIANT", privateID: "COMPLIANT"},
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
