package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

// checkAdminNames returns the CheckParams of the *_DEFAULT_ADMIN_CHECK rules:
// validAdminUserNames may not hold a name of defaults (any case).
func checkAdminNames(defaults []string) func(a Args) []probity.FieldError {
	return eachValue("validAdminUserNames", func(n string) string {
		if inList(defaults, strings.ToLower(n)) {
			return fmt.Sprintf("may not include the default name %q", n)
		}
		return ""
	})
}

// adminNameCheck decides the *_DEFAULT_ADMIN_CHECK rules: the master user name is none
// of defaults (any case) and, when valid is given, one of valid (which checkAdminNames
// keeps free of defaults).
func adminNameCheck(defaults, valid []string, user string) (Compliance, string, error) {
	switch {
	case inList(defaults, strings.ToLower(user)):
		return NonCompliant, "The master user name is the default " + user + ".", nil
	case len(valid) > 0 && !inList(valid, user):
		return NonCompliant, "The master user name " + user + " is not in validAdminUserNames.", nil
	}
	return Compliant, "", nil
}

// iamAuthEngines and iamAuthStates are the DB instance engines and states
// RDS_INSTANCE_IAM_AUTHENTICATION_ENABLED evaluates, as its page lists them.
var (
	iamAuthEngines = []string{"mysql", "postgres", "aurora", "aurora-mysql", "aurora-postgresql"}
	iamAuthStates  = []string{"available", "backing-up", "storage-optimization", "storage-full"}
)

var dbAdminRules = []*Rule{
	{
		ID:          "RDS_DB_SECURITY_GROUP_NOT_ALLOWED",
		Description: "The only RDS DB security group (EC2-Classic) is the default one; any other DB security group is NON_COMPLIANT.",
		Scope:       []string{"AWS::RDS::DBSecurityGroup"},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			g, err := cfg[struct {
				Name string `json:"dBSecurityGroupName"`
			}](it)
			if err != nil {
				return "", "", err
			}
			name := g.Name
			if name == "" {
				name = it.ResourceName
			}
			return verdict(name == "default", "The DB security group "+name+" is not the default one.")
		},
	},
	{
		ID: "RDS_INSTANCE_DEFAULT_ADMIN_CHECK",
		Description: "RDS DB instances' master user name is not a default one (admin, postgres) and, with validAdminUserNames, is one " +
			"of those names (which may not include admin or postgres).",
		Scope:       []string{rdsInstance},
		Params:      []Param{{Name: "validAdminUserNames", Type: CSV}},
		CheckParams: checkAdminNames(defaultAdminNames),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			db, err := cfg[struct {
				MasterUsername string `json:"masterUsername"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return adminNameCheck(defaultAdminNames, a.List("validAdminUserNames"), db.MasterUsername)
		},
	},
	{
		ID: "RDS_INSTANCE_IAM_AUTHENTICATION_ENABLED",
		Description: "RDS DB instances have IAM database authentication enabled; instances of other engines than MySQL, PostgreSQL and Aurora, " +
			"and instances not available, backing up or in storage optimisation or full, are NOT_APPLICABLE.",
		Scope: []string{rdsInstance},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			db, err := cfg[struct {
				Engine string `json:"engine"`
				Status string `json:"dBInstanceStatus"`
				IAM    bool   `json:"iAMDatabaseAuthenticationEnabled"`
			}](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case !inList(iamAuthEngines, strings.ToLower(db.Engine)):
				return na("The engine " + orNone(db.Engine) + " is not one the rule evaluates.")
			case !inList(iamAuthStates, strings.ToLower(db.Status)):
				return na("The instance is " + orNone(db.Status) + ".")
			}
			return verdict(db.IAM, "IAM database authentication is off.")
		},
	},
	{
		ID: "REDSHIFT_DEFAULT_ADMIN_CHECK",
		Description: "Redshift clusters' master user name is not the default awsuser and, with validAdminUserNames, is one of those names " +
			"(which may not include awsuser).",
		Scope:       []string{"AWS::Redshift::Cluster"},
		Params:      []Param{{Name: "validAdminUserNames", Type: CSV}},
		CheckParams: checkAdminNames([]string{"awsuser"}),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				MasterUsername string `json:"masterUsername"`
			}](it)
			if err != nil {
				return "", "", err
			}
			return adminNameCheck([]string{"awsuser"}, a.List("validAdminUserNames"), c.MasterUsername)
		},
	},
}
