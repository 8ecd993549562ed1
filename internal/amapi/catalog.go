package amapi

import (
	"context"
	"embed"
	"strings"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// keywordFiles holds, one file per data source type, the keywords ListKeywordsForDataSource
// offers: AWS Config managed rule identifiers (from the AWS Config developer guide, April
// 2023), and short lists of common CloudTrail events, API calls and Security Hub controls.
//
//go:embed keywords/*.txt
var keywordFiles embed.FS

var keywordSources = []string{"AWS_Cloudtrail", "AWS_Config", "AWS_Security_Hub", "AWS_API_Call", "MANUAL"}

func keywords(source string) ([]string, error) {
	b, err := keywordFiles.ReadFile("keywords/" + source + ".txt")
	if err != nil {
		return nil, err
	}
	return strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' }), nil
}

type keywordsResponse struct {
	Keywords  []string `json:"keywords"`
	NextToken string   `json:"nextToken,omitempty"`
}

func listKeywords(ctx context.Context, h *Handler, c *call) (any, error) {
	source, err := c.enumQuery("source", true, keywordSources...)
	if err != nil {
		return nil, err
	}
	limit, after, err := c.pageParams(tokenKeywords)
	if err != nil {
		return nil, err
	}
	all, err := keywords(source)
	if err != nil {
		return nil, err
	}
	// The list is fixed, so the cursor is a plain offset.
	start := 0
	if !after.IsZero() {
		start = int(after.CreatedAt.UnixNano())
		if after.ID != source || start < 0 || start > len(all) {
			return nil, invalidField("nextToken", "is not a token this listing returned")
		}
	}
	end := min(len(all), start+limit)
	resp := keywordsResponse{Keywords: append([]string{}, all[start:end]...)}
	if end < len(all) {
		resp.NextToken = nextToken(tokenKeywords, store.Cursor{CreatedAt: time.Unix(0, int64(end)), ID: source})
	}
	return resp, nil
}

type serviceMetadata struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	Category    string `json:"category"`
}

// servicesInScope are the AWS services an assessment can collect evidence from.
var servicesInScope = []serviceMetadata{
	{"acm", "AWS Certificate Manager", "TLS certificates", "Security, Identity, & Compliance"},
	{"cloudtrail", "AWS CloudTrail", "Account activity logging", "Management & Governance"},
	{"config", "AWS Config", "Resource configuration recording and rules", "Management & Governance"},
	{"dynamodb", "Amazon DynamoDB", "Managed NoSQL database", "Database"},
	{"ec2", "Amazon EC2", "Virtual servers and networking", "Compute"},
	{"ecr", "Amazon ECR", "Container image registry", "Containers"},
	{"eks", "Amazon EKS", "Managed Kubernetes", "Containers"},
	{"elasticloadbalancing", "Elastic Load Balancing", "Load balancers", "Networking & Content Delivery"},
	{"guardduty", "Amazon GuardDuty", "Threat detection", "Security, Identity, & Compliance"},
	{"iam", "AWS Identity and Access Management", "Users, roles and policies", "Security, Identity, & Compliance"},
	{"kms", "AWS Key Management Service", "Encryption keys", "Security, Identity, & Compliance"},
	{"lambda", "AWS Lambda", "Serverless functions", "Compute"},
	{"organizations", "AWS Organizations", "Account management", "Management & Governance"},
	{"rds", "Amazon RDS", "Managed relational databases", "Database"},
	{"s3", "Amazon S3", "Object storage", "Storage"},
	{"securityhub", "AWS Security Hub", "Security findings and standards", "Security, Identity, & Compliance"},
	{"sns", "Amazon SNS", "Notifications", "Application Integration"},
	{"sqs", "Amazon SQS", "Message queues", "Application Integration"},
	{"ssm", "AWS Systems Manager", "Operations and patch management", "Management & Governance"},
}

func getServicesInScope(ctx context.Context, h *Handler, c *call) (any, error) {
	return struct {
		ServiceMetadata []serviceMetadata `json:"serviceMetadata"`
	}{servicesInScope}, nil
}

// notification is the wire form of a probity.Notification.
type notification struct {
	ID             string `json:"id"`
	AssessmentID   string `json:"assessmentId,omitempty"`
	AssessmentName string `json:"assessmentName,omitempty"`
	ControlSetID   string `json:"controlSetId,omitempty"`
	ControlSetName string `json:"controlSetName,omitempty"`
	Description    string `json:"description,omitempty"`
	EventTime      epoch  `json:"eventTime"`
	Source         string `json:"source,omitempty"`
}

// listNotifications pages through the stored notifications, newest first: the outcomes
// of catalog reconciles (issue the pipeline files) and, later, assessment events.
func listNotifications(ctx context.Context, h *Handler, c *call) (any, error) {
	limit, after, err := c.pageParams(tokenNotifications)
	if err != nil {
		return nil, err
	}
	page, err := h.lib.Notifications(ctx, c.caller, after.ID, limit+1)
	if probity.ErrorCode(err) == probity.EINVALID {
		return nil, invalidField("nextToken", "is not a token this listing returned")
	} else if err != nil {
		return nil, err
	}
	resp := struct {
		Notifications []notification `json:"notifications"`
		NextToken     string         `json:"nextToken,omitempty"`
	}{Notifications: []notification{}}
	if len(page) > limit {
		page = page[:limit]
		resp.NextToken = nextToken(tokenNotifications, store.Cursor{ID: page[limit-1].ID})
	}
	for _, n := range page {
		resp.Notifications = append(resp.Notifications, notification{
			ID: n.ID, AssessmentID: n.AssessmentID, AssessmentName: n.AssessmentName, ControlSetID: n.ControlSetID,
			ControlSetName: n.ControlSetName, Description: n.Description, EventTime: epoch(n.EventTime), Source: n.Source,
		})
	}
	return resp, nil
}
