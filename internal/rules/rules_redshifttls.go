package rules

import (
	"encoding/json"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const redshiftParamGroup = "AWS::Redshift::ClusterParameterGroup"

// redshiftTLSRules judge Redshift clusters by their parameter groups, which AWS Config
// records as AWS::Redshift::ClusterParameterGroup items with the group's parameters in
// supplementaryConfiguration Parameters (docs/decisions/0170-related-items.md).
var redshiftTLSRules = []*Rule{
	{
		ID:          "REDSHIFT_REQUIRE_TLS_SSL",
		Description: "Redshift clusters require TLS/SSL for SQL connections: require_ssl is true in every parameter group of the cluster (the snapshot's AWS::Redshift::ClusterParameterGroup items).",
		Scope:       []string{redshiftCluster},
		Related:     []string{redshiftParamGroup},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				ClusterParameterGroups []struct {
					ParameterGroupName string `json:"parameterGroupName"`
				} `json:"clusterParameterGroups"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if env.Related == nil {
				return na("The input does not hold the cluster's parameter groups (" + redshiftParamGroup + " items of a snapshot).")
			}
			if len(c.ClusterParameterGroups) == 0 {
				return na("The cluster names no parameter group.")
			}
			byName, err := env.Related.GroupBy(redshiftParamGroup, "parameter groups by name", func(g *ci.Item) (string, error) {
				return g.ResourceID, nil
			})
			if err != nil {
				return "", "", err
			}
			for _, pg := range c.ClusterParameterGroups {
				groups := byName[pg.ParameterGroupName]
				if len(groups) == 0 {
					return na("The snapshot does not hold the cluster's parameter group " + pg.ParameterGroupName + ".")
				}
				on, err := requireSSL(groups[0])
				if err != nil {
					return "", "", err
				}
				if !on {
					return NonCompliant, "require_ssl is not true in the parameter group " + pg.ParameterGroupName + ".", nil
				}
			}
			return Compliant, "", nil
		},
	},
}

// requireSSL reports whether the parameter group item sets require_ssl to true (any
// case). A group without the parameter does not require TLS, Redshift's default.
func requireSSL(g *ci.Item) (bool, error) {
	var params []struct {
		ParameterName  string          `json:"parameterName"`
		ParameterValue json.RawMessage `json:"parameterValue"`
	}
	if _, err := g.DecodeSupplementary("Parameters", &params); err != nil {
		return false, err
	}
	for _, p := range params {
		if strings.EqualFold(p.ParameterName, "require_ssl") {
			var v string
			if json.Unmarshal(p.ParameterValue, &v) != nil {
				return false, nil // not a string: not "true"
			}
			return strings.EqualFold(v, "true"), nil
		}
	}
	return false, nil
}
