package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const transferServer = "AWS::Transfer::Server"

var transferRules = []*Rule{
	{
		ID:          "TRANSFER_FAMILY_SERVER_NO_FTP",
		Description: "Transfer Family servers do not accept plain FTP (Protocols).",
		Scope:       []string{transferServer},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			s, err := cfg[struct {
				Protocols []string `json:"Protocols"`
			}](it)
			if err != nil {
				return "", "", err
			}
			for _, p := range s.Protocols {
				if strings.EqualFold(p, "FTP") {
					return NonCompliant, "The server accepts FTP.", nil
				}
			}
			return Compliant, "", nil
		},
	},
}
