package inventory

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	sctypes "github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"
)

// macieOff reports whether err says that Macie is not enabled: AccessDeniedException
// saying so, as AWS answers, or ResourceNotFoundException, as moto does.
func macieOff(err error) bool {
	switch errorCode(err) {
	case "ResourceNotFoundException":
		return true
	case "AccessDeniedException":
		return strings.Contains(strings.ToLower(err.Error()), "not enabled")
	}
	return false
}

// collectMacie records Amazon Macie's state in the region as the facts macie2.Session
// (GetMacieSession: status, findingPublishingFrequency), macie2.AdministratorAccount
// (GetAdministratorAccount's administrator: accountId, relationshipStatus) and
// macie2.AutomatedDiscoveryConfiguration (GetAutomatedDiscoveryConfiguration: status),
// all three null when Macie is not enabled, the administrator null for an account that
// is no member. Where automated discovery cannot be read its skip is recorded and that
// fact left out.
func collectMacie(ctx context.Context, r *run) error {
	c := macie2.NewFromConfig(r.cfg)
	s, err := c.GetMacieSession(ctx, &macie2.GetMacieSessionInput{})
	switch {
	case macieOff(err):
		r.fact("macie2.Session", nil)
		r.fact("macie2.AdministratorAccount", nil)
		r.fact("macie2.AutomatedDiscoveryConfiguration", nil)
		return nil
	case err != nil:
		return err
	}
	r.fact("macie2.Session", map[string]any{"status": s.Status, "findingPublishingFrequency": s.FindingPublishingFrequency})
	adm, err := c.GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})
	switch {
	case unavailable(err):
		r.skip("macie2.administratorAccount", err)
	case err != nil:
		return err
	case adm.Administrator == nil || aws.ToString(adm.Administrator.AccountId) == "":
		r.fact("macie2.AdministratorAccount", nil)
	default:
		r.fact("macie2.AdministratorAccount", map[string]any{"accountId": aws.ToString(adm.Administrator.AccountId),
			"relationshipStatus": adm.Administrator.RelationshipStatus})
	}
	auto, err := c.GetAutomatedDiscoveryConfiguration(ctx, &macie2.GetAutomatedDiscoveryConfigurationInput{})
	switch {
	case unavailable(err):
		r.skip("macie2.automatedDiscovery", err)
	case err != nil:
		return err
	default:
		r.fact("macie2.AutomatedDiscoveryConfiguration", map[string]any{"status": auto.Status})
	}
	return nil
}

// collectAlternateContacts records the account's alternate contacts as the fact
// account.AlternateContacts: GetAlternateContact's AlternateContact by type (BILLING,
// OPERATIONS, SECURITY), a type without a contact left out.
func collectAlternateContacts(ctx context.Context, r *run) error {
	c := account.NewFromConfig(r.cfg)
	contacts := map[string]any{}
	for _, ty := range []accounttypes.AlternateContactType{accounttypes.AlternateContactTypeBilling, accounttypes.AlternateContactTypeOperations, accounttypes.AlternateContactTypeSecurity} {
		out, err := c.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: ty})
		switch {
		case errorCode(err) == "ResourceNotFoundException":
			continue
		case err != nil:
			return err
		}
		a := out.AlternateContact
		contacts[string(ty)] = map[string]any{"AlternateContactType": a.AlternateContactType, "EmailAddress": aws.ToString(a.EmailAddress),
			"Name": aws.ToString(a.Name), "PhoneNumber": aws.ToString(a.PhoneNumber), "Title": aws.ToString(a.Title)}
	}
	r.fact("account.AlternateContacts", contacts)
	return nil
}

// portfolioShareTypes are every kind of Service Catalog portfolio share.
var portfolioShareTypes = []sctypes.DescribePortfolioShareType{sctypes.DescribePortfolioShareTypeAccount, sctypes.DescribePortfolioShareTypeOrganization,
	sctypes.DescribePortfolioShareTypeOrganizationalUnit, sctypes.DescribePortfolioShareTypeOrganizationMemberAccount}

// collectPortfolioShares records the shares of each Service Catalog portfolio the account
// owns (ListPortfolios) as the fact servicecatalog.PortfolioShares: by portfolio id,
// DescribePortfolioShares' PortfolioShareDetails of every share type (PrincipalId, Type,
// Accepted, ShareTagOptions, SharePrincipals).
func collectPortfolioShares(ctx context.Context, r *run) error {
	c := servicecatalog.NewFromConfig(r.cfg)
	var ids []string
	p := servicecatalog.NewListPortfoliosPaginator(c, &servicecatalog.ListPortfoliosInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, d := range out.PortfolioDetails {
			ids = append(ids, aws.ToString(d.Id))
		}
	}
	shares := make([][]map[string]any, len(ids))
	err := r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		shares[i] = []map[string]any{}
		for _, ty := range portfolioShareTypes {
			sp := servicecatalog.NewDescribePortfolioSharesPaginator(c, &servicecatalog.DescribePortfolioSharesInput{PortfolioId: aws.String(ids[i]), Type: ty})
			for sp.HasMorePages() {
				out, err := sp.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, d := range out.PortfolioShareDetails {
					shares[i] = append(shares[i], map[string]any{"PrincipalId": aws.ToString(d.PrincipalId), "Type": d.Type,
						"Accepted": d.Accepted, "ShareTagOptions": d.ShareTagOptions, "SharePrincipals": d.SharePrincipals})
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	byID := make(map[string]any, len(ids))
	for i, id := range ids {
		byID[id] = shares[i]
	}
	r.fact("servicecatalog.PortfolioShares", byID)
	return nil
}
