package ci

import (
	"strings"

	json "github.com/go-json-experiment/json/v1"
)

// SecurityGroup is the configuration of an AWS::EC2::SecurityGroup CI.
type SecurityGroup struct {
	GroupID             string         `json:"groupId"`
	GroupName           string         `json:"groupName"`
	VpcID               string         `json:"vpcId"`
	IPPermissions       []IPPermission `json:"ipPermissions"`
	IPPermissionsEgress []IPPermission `json:"ipPermissionsEgress"`
}

// IPPermission is one security group rule. AWS Config has written IPv4 ranges in two
// forms, "ipRanges": ["0.0.0.0/0"] (old) and "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]
// (new), sometimes both; IPv4Ranges holds their union. FromPort and ToPort are -1 when
// the rule covers every port.
type IPPermission struct {
	IPProtocol       string
	FromPort, ToPort int
	IPv4Ranges       []string
	IPv6Ranges       []string
	PrefixListIDs    []string
	GroupPairs       int // how many security-group references the rule has
}

// UnmarshalJSON implements the normalisation described on IPPermission.
func (p *IPPermission) UnmarshalJSON(b []byte) error {
	var w struct {
		IPProtocol string            `json:"ipProtocol"`
		FromPort   *int              `json:"fromPort"`
		ToPort     *int              `json:"toPort"`
		IPRanges   []json.RawMessage `json:"ipRanges"`
		IPv4Ranges []struct {
			CidrIP string `json:"cidrIp"`
		} `json:"ipv4Ranges"`
		IPv6Ranges []struct {
			CidrIPv6 string `json:"cidrIpv6"`
		} `json:"ipv6Ranges"`
		PrefixListIDs []struct {
			PrefixListID string `json:"prefixListId"`
		} `json:"prefixListIds"`
		UserIDGroupPairs []json.RawMessage `json:"userIdGroupPairs"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = IPPermission{IPProtocol: strings.ToLower(w.IPProtocol), FromPort: -1, ToPort: -1, GroupPairs: len(w.UserIDGroupPairs)}
	if w.FromPort != nil {
		p.FromPort = *w.FromPort
	}
	if w.ToPort != nil {
		p.ToPort = *w.ToPort
	}
	add := func(c string) {
		for _, x := range p.IPv4Ranges {
			if x == c {
				return
			}
		}
		p.IPv4Ranges = append(p.IPv4Ranges, c)
	}
	for _, r := range w.IPRanges {
		// Old form: strings. Some writers use objects here too.
		if s, err := jsonString(r); err == nil {
			add(s)
			continue
		}
		var o struct {
			CidrIP string `json:"cidrIp"`
		}
		if err := json.Unmarshal(r, &o); err != nil {
			return err
		}
		add(o.CidrIP)
	}
	for _, r := range w.IPv4Ranges {
		add(r.CidrIP)
	}
	for _, r := range w.IPv6Ranges {
		p.IPv6Ranges = append(p.IPv6Ranges, r.CidrIPv6)
	}
	for _, r := range w.PrefixListIDs {
		p.PrefixListIDs = append(p.PrefixListIDs, r.PrefixListID)
	}
	return nil
}

// Protocol returns the rule's protocol as "tcp", "udp", "icmp", "icmpv6" or "all"
// ("-1"), mapping protocol numbers 6 and 17.
func (p IPPermission) Protocol() string {
	switch p.IPProtocol {
	case "-1", "all", "":
		return "all"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	}
	return p.IPProtocol
}

// AllPorts reports whether the rule covers every port of its protocol.
func (p IPPermission) AllPorts() bool {
	return p.Protocol() == "all" || p.FromPort < 0 || (p.FromPort == 0 && p.ToPort >= 65535) || p.ToPort < 0
}

// Ports returns the rule's port range, 0-65535 when it covers all ports.
func (p IPPermission) Ports() (from, to int) {
	if p.AllPorts() {
		return 0, 65535
	}
	return p.FromPort, p.ToPort
}

// CoversPort reports whether the rule admits proto ("tcp" or "udp") traffic on port.
func (p IPPermission) CoversPort(proto string, port int) bool {
	if pr := p.Protocol(); pr != "all" && pr != proto {
		return false
	}
	from, to := p.Ports()
	return from <= port && port <= to
}

// OpenToWorldIPv4 reports whether the rule admits 0.0.0.0/0.
func (p IPPermission) OpenToWorldIPv4() bool {
	for _, c := range p.IPv4Ranges {
		if c == "0.0.0.0/0" {
			return true
		}
	}
	return false
}

// OpenToWorldIPv6 reports whether the rule admits ::/0.
func (p IPPermission) OpenToWorldIPv6() bool {
	for _, c := range p.IPv6Ranges {
		if c == "::/0" {
			return true
		}
	}
	return false
}
