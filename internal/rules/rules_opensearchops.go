package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// openSearchOpsRules are the OpenSearch operations rules and Redshift's default database
// name rule.
var openSearchOpsRules = []*Rule{
	{
		ID: "OPENSEARCH_PRIMARY_NODE_FAULT_TOLERANCE",
		Description: "OpenSearch domains have at least three dedicated primary nodes (ClusterConfig.DedicatedMasterEnabled true " +
			"and DedicatedMasterCount 3 or more).",
		Scope: []string{openSearchDomain},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			d, err := cfg[struct {
				ClusterConfig struct {
					DedicatedMasterEnabled bool `json:"DedicatedMasterEnabled"`
					DedicatedMasterCount   int  `json:"DedicatedMasterCount"`
				} `json:"ClusterConfig"`
			}](it)
			if err != nil {
				return "", "", err
			}
			c := d.ClusterConfig
			switch {
			case !c.DedicatedMasterEnabled:
				return NonCompliant, "The domain has no dedicated primary nodes.", nil
			case c.DedicatedMasterCount < 3:
				return NonCompliant, "The domain has fewer than three dedicated primary nodes.", nil
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "OPENSEARCH_UPDATE_CHECK",
		Description: "OpenSearch domains run the latest service software (ServiceSoftwareOptions.UpdateAvailable false); " +
			"a domain whose configuration records no ServiceSoftwareOptions is NOT_APPLICABLE.",
		Scope: []string{openSearchDomain},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			d, err := cfg[struct {
				ServiceSoftwareOptions *struct {
					UpdateAvailable bool   `json:"UpdateAvailable"`
					NewVersion      string `json:"NewVersion"`
				} `json:"ServiceSoftwareOptions"`
			}](it)
			if err != nil {
				return "", "", err
			}
			s := d.ServiceSoftwareOptions
			if s == nil {
				return na("The configuration records no ServiceSoftwareOptions.")
			}
			note := "A service software update is available"
			if s.NewVersion != "" {
				note += " (" + s.NewVersion + ")"
			}
			return verdict(!s.UpdateAvailable, note+" but not installed.")
		},
	},
	{
		ID:          "REDSHIFT_DEFAULT_DB_NAME_CHECK",
		Description: "Redshift clusters' database name (dBName) is not the default dev and, with validDatabaseNames, is one of those names.",
		Scope:       []string{"AWS::Redshift::Cluster"},
		Params:      []Param{{Name: "validDatabaseNames", Type: CSV}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				DBName string `json:"dBName"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case strings.EqualFold(c.DBName, "dev"):
				return NonCompliant, "The database name is the default dev.", nil
			case a.Set("validDatabaseNames") && !inList(a.List("validDatabaseNames"), c.DBName):
				return NonCompliant, "The database name " + orNone(c.DBName) + " is not in validDatabaseNames.", nil
			}
			return Compliant, "", nil
		},
	},
}
