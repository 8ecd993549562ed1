package ci

import "strings"

// RegistryScanning is GetRegistryScanningConfiguration's scanningConfiguration: the
// ECR registry's scanning rules, which apply to the repositories their filters match.
type RegistryScanning struct {
	ScanType string `json:"scanType"`
	Rules    []struct {
		ScanFrequency     string `json:"scanFrequency"`
		RepositoryFilters []struct {
			Filter     string `json:"filter"`
			FilterType string `json:"filterType"`
		} `json:"repositoryFilters"`
	} `json:"rules"`
}

// Scans reports whether a rule scans the repository on push or continuously.
func (s *RegistryScanning) Scans(repository string) bool {
	for _, r := range s.Rules {
		if f := strings.ToUpper(r.ScanFrequency); f != "SCAN_ON_PUSH" && f != "CONTINUOUS_SCAN" {
			continue
		}
		for _, f := range r.RepositoryFilters {
			if WildcardMatch(f.Filter, repository) {
				return true
			}
		}
	}
	return false
}

// MacieSession is GetMacieSession.
type MacieSession struct {
	Status string `json:"status"`
}

// MacieAdministrator is GetAdministratorAccount's administrator.
type MacieAdministrator struct {
	AccountID          string `json:"accountId"`
	RelationshipStatus string `json:"relationshipStatus"`
}

// MacieAutomatedDiscovery is GetAutomatedDiscoveryConfiguration.
type MacieAutomatedDiscovery struct {
	Status string `json:"status"`
}

// AlternateContact is GetAlternateContact's AlternateContact.
type AlternateContact struct {
	AlternateContactType string
	EmailAddress         string
	Name                 string
	PhoneNumber          string
	Title                string
}

// PortfolioShare is one DescribePortfolioShares PortfolioShareDetail.
type PortfolioShare struct {
	PrincipalID string `json:"PrincipalId"`
	Type        string
	Accepted    bool
}
