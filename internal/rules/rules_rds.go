package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const rdsInstance = "AWS::RDS::DBInstance"

// dbInstance is the part of an RDS DB instance CI the rules read (DescribeDBInstances,
// camel-cased as AWS Config records it).
type dbInstance struct {
	Engine                                string   `json:"engine"`
	DBInstanceStatus                      string   `json:"dBInstanceStatus"`
	BackupRetentionPeriod                 looseInt `json:"backupRetentionPeriod"`
	PreferredBackupWindow                 string   `json:"preferredBackupWindow"`
	ReadReplicaSourceDBInstanceIdentifier string   `json:"readReplicaSourceDBInstanceIdentifier"`
	MultiAZ                               bool     `json:"multiAZ"`
	DeletionProtection                    bool     `json:"deletionProtection"`
	AutoMinorVersionUpgrade               bool     `json:"autoMinorVersionUpgrade"`
	MonitoringInterval                    looseInt `json:"monitoringInterval"`
	EnabledCloudwatchLogsExports          []string `json:"enabledCloudwatchLogsExports"`
}

// looseInt is an integer member that some recorders write as a JSON string ("5"), as the
// public rule cases do: a number, a numeric string and null all decode.
type looseInt int

// UnmarshalJSON implements json.Unmarshaler.
func (n *looseInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%s is not an integer", b)
	}
	*n = looseInt(v)
	return nil
}

// rdsRule builds a rule on RDS DB instances that decides from the decoded instance.
func rdsRule(id, desc string, params []Param, f func(a Args, db *dbInstance) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{rdsInstance}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			db, err := cfg[dbInstance](it)
			if err != nil {
				return "", "", err
			}
			return f(a, db)
		}}
}

// rdsLogTypes are the log types RDS_LOGGING_ENABLED requires per engine, as the
// Security Hub control RDS.9 lists them; engines not listed need only additionalLogs.
var rdsLogTypes = map[string][]string{
	"mariadb":           {"audit", "error", "general", "slowquery"},
	"mysql":             {"audit", "error", "general", "slowquery"},
	"aurora":            {"audit", "error", "general", "slowquery"},
	"aurora-mysql":      {"audit", "error", "general", "slowquery"},
	"postgres":          {"postgresql", "upgrade"},
	"aurora-postgresql": {"postgresql"},
	"oracle-ee":         {"alert", "audit", "trace", "listener"},
	"oracle-ee-cdb":     {"alert", "audit", "trace", "listener"},
	"oracle-se2":        {"alert", "audit", "trace", "listener"},
	"oracle-se2-cdb":    {"alert", "audit", "trace", "listener"},
	"sqlserver-ee":      {"error", "agent"},
	"sqlserver-se":      {"error", "agent"},
	"sqlserver-ex":      {"error", "agent"},
	"sqlserver-web":     {"error", "agent"},
}

// additionalLogs parses RDS_LOGGING_ENABLED's StringMap "engine: type, type ; engine: type".
// An engine name matches the instance's engine exactly or as its prefix before "-"
// (oracle covers oracle-ee). It fails on an entry without a colon.
func additionalLogs(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, entry := range strings.Split(s, ";") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		engine, types, ok := strings.Cut(entry, ":")
		engine = strings.ToLower(strings.TrimSpace(engine))
		if !ok || engine == "" {
			return nil, fmt.Errorf("%q is not \"engine: logtype, ...\"", strings.TrimSpace(entry))
		}
		for _, t := range strings.Split(types, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				out[engine] = append(out[engine], t)
			}
		}
	}
	return out, nil
}

// rdsEvaluatedStatus lists the instance states RDS_LOGGING_ENABLED evaluates; others are
// NOT_APPLICABLE. An unrecorded status is evaluated.
var rdsEvaluatedStatus = []string{"", "available", "backing-up", "storage-optimization", "storage-full"}

var rdsRules = []*Rule{
	{
		ID:          "RDS_LOGGING_ENABLED",
		Description: "RDS DB instances export their engine's log types to CloudWatch Logs, plus those additionalLogs names for the engine (\"engine: type, type ; engine: type\"); instances not available, backing-up, storage-optimization or storage-full are NOT_APPLICABLE.",
		Scope:       []string{rdsInstance},
		Params:      []Param{{Name: "additionalLogs", Type: String}},
		CheckParams: parses("additionalLogs", additionalLogs),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			extra, _ := additionalLogs(a.Str("additionalLogs"))
			db, err := cfg[dbInstance](it)
			if err != nil {
				return "", "", err
			}
			if !inList(rdsEvaluatedStatus, db.DBInstanceStatus) {
				return na("The DB instance is " + db.DBInstanceStatus + ".")
			}
			engine := strings.ToLower(db.Engine)
			want := append([]string(nil), rdsLogTypes[engine]...)
			for e, types := range extra {
				if e == engine || strings.HasPrefix(engine, e+"-") {
					want = append(want, types...)
				}
			}
			var missing []string
			for _, t := range want {
				if !inList(missing, t) && !inList(lower(db.EnabledCloudwatchLogsExports), t) {
					missing = append(missing, t)
				}
			}
			return verdict(len(missing) == 0, "Log types not exported: "+strings.Join(missing, ", ")+".")
		},
	},
	rdsRule("DB_INSTANCE_BACKUP_ENABLED",
		"RDS DB instances have automated backups (a retention period above 0), retained exactly backupRetentionPeriod and at least backupRetentionMinimum days, in preferredBackupWindow, when given; read replicas are NOT_APPLICABLE unless checkReadReplicas is true.",
		[]Param{{Name: "backupRetentionPeriod", Type: Int}, {Name: "backupRetentionMinimum", Type: Int}, {Name: "preferredBackupWindow", Type: String}, {Name: "checkReadReplicas", Type: Bool}},
		func(a Args, db *dbInstance) (Compliance, string, error) {
			switch {
			case db.ReadReplicaSourceDBInstanceIdentifier != "" && !a.Bool("checkReadReplicas"):
				return na("Read replica.")
			case db.BackupRetentionPeriod == 0:
				return NonCompliant, "Automated backups are off.", nil
			case a.Set("backupRetentionPeriod") && int(db.BackupRetentionPeriod) != a.Int("backupRetentionPeriod"):
				return NonCompliant, fmt.Sprintf("Backups are retained %d days, not backupRetentionPeriod.", db.BackupRetentionPeriod), nil
			case a.Set("backupRetentionMinimum") && int(db.BackupRetentionPeriod) < a.Int("backupRetentionMinimum"):
				return NonCompliant, fmt.Sprintf("Backups are retained %d days, less than backupRetentionMinimum.", db.BackupRetentionPeriod), nil
			case a.Set("preferredBackupWindow") && db.PreferredBackupWindow != a.Str("preferredBackupWindow"):
				return NonCompliant, "The backup window is not preferredBackupWindow.", nil
			}
			return Compliant, "", nil
		}),
	rdsRule("RDS_MULTI_AZ_SUPPORT", "RDS DB instances are deployed in multiple Availability Zones.", nil,
		func(a Args, db *dbInstance) (Compliance, string, error) {
			return verdict(db.MultiAZ, "The DB instance is in a single Availability Zone.")
		}),
	rdsRule("RDS_INSTANCE_DELETION_PROTECTION_ENABLED",
		"RDS DB instances have deletion protection; instances of engines outside databaseEngines, when given, are NOT_APPLICABLE.",
		[]Param{{Name: "databaseEngines", Type: CSV}},
		func(a Args, db *dbInstance) (Compliance, string, error) {
			if engines := a.List("databaseEngines"); engines != nil && !inList(engines, db.Engine) {
				return na("Engine " + db.Engine + " is not in databaseEngines.")
			}
			return verdict(db.DeletionProtection, "Deletion protection is off.")
		}),
	rdsRule("RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED", "RDS DB instances upgrade minor engine versions automatically.", nil,
		func(a Args, db *dbInstance) (Compliance, string, error) {
			return verdict(db.AutoMinorVersionUpgrade, "Automatic minor version upgrade is off.")
		}),
	rdsRule("RDS_ENHANCED_MONITORING_ENABLED",
		"RDS DB instances have enhanced monitoring (a monitoring interval above 0), every monitoringInterval seconds when given.",
		[]Param{{Name: "monitoringInterval", Type: Int}},
		func(a Args, db *dbInstance) (Compliance, string, error) {
			switch {
			case db.MonitoringInterval == 0:
				return NonCompliant, "Enhanced monitoring is off.", nil
			case a.Set("monitoringInterval") && int(db.MonitoringInterval) != a.Int("monitoringInterval"):
				return NonCompliant, fmt.Sprintf("The monitoring interval is %d seconds, not monitoringInterval.", db.MonitoringInterval), nil
			}
			return Compliant, "", nil
		}),
}

// lower returns list in lower case.
func lower(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	return out
}
