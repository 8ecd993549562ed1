package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	athenaDataCatalog       = "AWS::Athena::DataCatalog"
	athenaPreparedStatement = "AWS::Athena::PreparedStatement"
)

// athenaWorkGroupConf is the part of a workgroup's WorkGroupConfiguration the rules read.
// Booleans are pointers: only a recorded true counts as set.
type athenaWorkGroupConf struct {
	EnforceWorkGroupConfiguration   *bool `json:"EnforceWorkGroupConfiguration"`
	PublishCloudWatchMetricsEnabled *bool `json:"PublishCloudWatchMetricsEnabled"`
	EngineVersion                   *struct {
		SelectedEngineVersion string `json:"SelectedEngineVersion"`
	} `json:"EngineVersion"`
}

// athenaRule builds a rule on a workgroup's configuration. With athenaEngineOnly, a
// workgroup running Apache Spark (a PySpark engine version) is NOT_APPLICABLE, as the
// rules that check "workgroups using Athena engine" say.
func athenaRule(id, desc string, athenaEngineOnly bool, f func(w *athenaWorkGroupConf) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{athenaWorkGroup},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			w, err := cfg[struct {
				WorkGroupConfiguration athenaWorkGroupConf `json:"WorkGroupConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			c := &w.WorkGroupConfiguration
			if athenaEngineOnly && c.EngineVersion != nil && strings.HasPrefix(strings.ToLower(c.EngineVersion.SelectedEngineVersion), "pyspark") {
				return na("The workgroup runs Apache Spark, not the Athena engine.")
			}
			return f(c)
		}}
}

var athenaRules = []*Rule{
	athenaRule("ATHENA_WORKGROUP_LOGGING_ENABLED",
		"Athena workgroups publish usage metrics to CloudWatch (WorkGroupConfiguration.PublishCloudWatchMetricsEnabled true).", false,
		func(w *athenaWorkGroupConf) (Compliance, string, error) {
			on := w.PublishCloudWatchMetricsEnabled
			return verdict(on != nil && *on, "The workgroup does not publish usage metrics to CloudWatch.")
		}),
	athenaRule("ATHENA_WORKGROUP_ENFORCE_WORKGROUP_CONFIGURATION",
		"Athena workgroups on the Athena engine override client-side settings (WorkGroupConfiguration.EnforceWorkGroupConfiguration true); "+
			"Spark workgroups are NOT_APPLICABLE.", true,
		func(w *athenaWorkGroupConf) (Compliance, string, error) {
			on := w.EnforceWorkGroupConfiguration
			return verdict(on != nil && *on, "The workgroup lets client-side settings override its configuration.")
		}),
	athenaRule("ATHENA_WORKGROUP_ENGINE_VERSION_AUTO_UPGRADE",
		"Athena workgroups on the Athena engine upgrade their engine automatically (WorkGroupConfiguration.EngineVersion."+
			"SelectedEngineVersion AUTO, Athena's default when no engine version is recorded); Spark workgroups are NOT_APPLICABLE.", true,
		func(w *athenaWorkGroupConf) (Compliance, string, error) {
			if w.EngineVersion == nil || w.EngineVersion.SelectedEngineVersion == "" {
				return Compliant, "", nil
			}
			sel := w.EngineVersion.SelectedEngineVersion
			return verdict(strings.EqualFold(sel, "AUTO"), "The workgroup is pinned to "+sel+" instead of AUTO.")
		}),
	describedRule("ATHENA_WORKGROUP_DESCRIPTION", athenaWorkGroup, "Description", "Athena workgroup"),
	describedRule("ATHENA_DATA_CATALOG_DESCRIPTION", athenaDataCatalog, "Description", "Athena data catalog"),
	describedRule("ATHENA_PREPARED_STATEMENT_DESCRIPTION", athenaPreparedStatement, "Description", "Athena prepared statement"),
}
