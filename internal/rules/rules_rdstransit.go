package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// dbInstanceParamsCI is the part of a DB instance CI the encryption-in-transit rules
// read (DescribeDBInstances' members with the first letter in lower case).
type dbInstanceParamsCI struct {
	Engine              string `json:"engine"`
	DBClusterIdentifier string `json:"dBClusterIdentifier"`
	DBParameterGroups   []struct {
		DBParameterGroupName string `json:"dBParameterGroupName"`
		ParameterApplyStatus string `json:"parameterApplyStatus"`
	} `json:"dBParameterGroups"`
}

// instanceRequiresTLS returns the judgement of a periodic rule on DB instances of engine:
// each of the instance's parameter groups is in sync and sets param to 1 (or ON), read
// from the account fact rds.DBParameters. Instances of other engines, and instances of
// a DB cluster, are NOT_APPLICABLE.
func instanceRequiresTLS(engine, param string) func(Args, *ci.Item, Env) (Compliance, string, error) {
	return func(_ Args, it *ci.Item, env Env) (Compliance, string, error) {
		db, err := cfg[dbInstanceParamsCI](it)
		if err != nil {
			return "", "", err
		}
		switch {
		case !strings.EqualFold(db.Engine, engine):
			return na("The DB instance's engine is " + db.Engine + ", not " + engine + ".")
		case db.DBClusterIdentifier != "":
			return na("The DB instance is part of the DB cluster " + db.DBClusterIdentifier + ".")
		case len(db.DBParameterGroups) == 0:
			return na("The DB instance names no DB parameter group.")
		case !env.Account.Has("rds.DBParameters"):
			return na("The input holds no DB parameters (account fact rds.DBParameters).")
		}
		for _, g := range db.DBParameterGroups {
			if !strings.EqualFold(g.ParameterApplyStatus, "in-sync") {
				return NonCompliant, "The DB parameter group " + g.DBParameterGroupName + " is " + g.ParameterApplyStatus + ", not in-sync.", nil
			}
			params, ok := env.Account.DBParameters[g.DBParameterGroupName]
			if !ok {
				return na("The account facts do not hold the DB parameter group " + g.DBParameterGroupName + ".")
			}
			on := false
			for _, p := range params {
				if strings.EqualFold(p.ParameterName, param) {
					v := strings.TrimSpace(p.ParameterValue)
					on = v == "1" || strings.EqualFold(v, "ON")
				}
			}
			if !on {
				return NonCompliant, param + " is not 1 in the DB parameter group " + g.DBParameterGroupName + ".", nil
			}
		}
		return Compliant, "", nil
	}
}

var rdsTransitRules = []*Rule{
	{
		ID: "RDS_MYSQL_INSTANCE_ENCRYPTED_IN_TRANSIT",
		Description: "RDS for MySQL DB instances require TLS: each DB parameter group is in-sync and sets require_secure_transport to 1 (account fact rds.DBParameters); " +
			"other engines and instances of a DB cluster are NOT_APPLICABLE.",
		Scope: []string{rdsInstance},
		Item:  instanceRequiresTLS("mysql", "require_secure_transport"),
	},
	{
		ID: "RDS_POSTGRES_INSTANCE_ENCRYPTED_IN_TRANSIT",
		Description: "RDS for PostgreSQL DB instances require TLS: each DB parameter group is in-sync and sets rds.force_ssl to 1 (account fact rds.DBParameters); " +
			"other engines and instances of a DB cluster are NOT_APPLICABLE.",
		Scope: []string{rdsInstance},
		Item:  instanceRequiresTLS("postgres", "rds.force_ssl"),
	},
}
