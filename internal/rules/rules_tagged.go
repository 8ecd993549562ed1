package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// The *_TAGGED rules share one meaning: the resource has at least one tag whose key does
// not start with "aws:" (AWS's own tags do not count), and, with requiredKeyTags, every
// key that list names (compared exactly: tag keys are case-sensitive). They read the
// CI's tags, where the inventory and AWS Config put them.

// requiredKeyTags is the one parameter of every *_TAGGED rule.
var requiredKeyTags = []Param{{Name: "requiredKeyTags", Type: CSV}}

// tagged returns a *_TAGGED rule over types. A non-nil only narrows it to the items it
// accepts (say, Application Load Balancers among the ELBv2 load balancers); the others
// are NOT_APPLICABLE with the reason it returns.
func tagged(id, what string, only func(it *ci.Item) (bool, string, error), types ...string) *Rule {
	return &Rule{
		ID:          id,
		Description: what + " have tags (keys starting with aws: do not count), and every key of requiredKeyTags when given.",
		Scope:       types,
		Params:      requiredKeyTags,
		CheckParams: checkRequiredKeyTags,
		Item: func(a Args, it *ci.Item, _ Env) (Compliance, string, error) {
			if only != nil {
				ok, why, err := only(it)
				if err != nil {
					return "", "", err
				}
				if !ok {
					return na(why)
				}
			}
			return judgeTags(a.List("requiredKeyTags"), it.Tags)
		},
	}
}

// checkRequiredKeyTags is the CheckParams of the *_TAGGED rules: requiredKeyTags may not
// name AWS's own tag keys (starting with aws:, any case), which no one can set.
var checkRequiredKeyTags = eachValue("requiredKeyTags", func(k string) string {
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return fmt.Sprintf("%q starts with aws:, which AWS keeps for its own tags", k)
	}
	return ""
})

// judgeTags decides a *_TAGGED rule on the tags of one resource.
func judgeTags(required []string, tags map[string]string) (Compliance, string, error) {
	own := 0
	for k := range tags {
		if !strings.HasPrefix(strings.ToLower(k), "aws:") {
			own++
		}
	}
	if own == 0 {
		return NonCompliant, "The resource has no tags.", nil
	}
	var missing []string
	for _, k := range required {
		if _, ok := tags[k]; !ok {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	return verdict(len(missing) == 0, "The resource lacks the tag keys "+strings.Join(missing, ", ")+".")
}

// balancerOfType accepts ELBv2 load balancers of the type (application, network).
func balancerOfType(want string) func(it *ci.Item) (bool, string, error) {
	return func(it *ci.Item) (bool, string, error) {
		lb, err := cfg[struct {
			Type string `json:"type"`
		}](it)
		if err != nil {
			return false, "", err
		}
		return strings.EqualFold(lb.Type, want), "The load balancer is not of type " + want + ".", nil
	}
}

// listenerOf accepts ELBv2 listeners whose protocol one of the balancer kind uses:
// HTTP and HTTPS for Application Load Balancers, TCP, TLS, UDP and TCP_UDP for Network
// Load Balancers.
func listenerOf(kind string, protocols ...string) func(it *ci.Item) (bool, string, error) {
	return func(it *ci.Item) (bool, string, error) {
		l, err := cfg[struct {
			Protocol string `json:"protocol"`
		}](it)
		if err != nil {
			return false, "", err
		}
		return inList(protocols, strings.ToUpper(l.Protocol)), "The listener is not one of " + kind + ".", nil
	}
}

var taggedRules = []*Rule{
	tagged("ALB_TAGGED", "Application Load Balancers", balancerOfType("application"), elbv2LB),
	tagged("NLB_TAGGED", "Network Load Balancers", balancerOfType("network"), elbv2LB),
	tagged("ALB_LISTENER_TAGGED", "Application Load Balancer listeners", listenerOf("an Application Load Balancer", "HTTP", "HTTPS"), elbv2Listener),
	tagged("NLB_LISTENER_TAGGED", "Network Load Balancer listeners", listenerOf("a Network Load Balancer", "TCP", "TLS", "UDP", "TCP_UDP"), elbv2Listener),
	tagged("API_GW_REST_API_TAGGED", "API Gateway REST APIs", nil, restAPI),
	tagged("API_GW_STAGE_TAGGED", "API Gateway REST API stages", nil, apiStage),
	tagged("CLOUDWATCH_METRIC_STREAM_TAGGED", "CloudWatch metric streams", nil, "AWS::CloudWatch::MetricStream"),
	tagged("COGNITO_USER_POOL_TAGGED", "Cognito user pools", nil, "AWS::Cognito::UserPool"),
	tagged("EC2_CAPACITY_RESERVATION_TAGGED", "EC2 capacity reservations", nil, "AWS::EC2::CapacityReservation"),
	tagged("EC2_DHCP_OPTIONS_TAGGED", "EC2 DHCP option sets", nil, "AWS::EC2::DHCPOptions"),
	tagged("EC2_FLEET_TAGGED", "EC2 Fleets", nil, "AWS::EC2::EC2Fleet"),
	tagged("EC2_LAUNCH_TEMPLATE_TAGGED", "EC2 launch templates", nil, "AWS::EC2::LaunchTemplate"),
	tagged("EC2_PREFIX_LIST_TAGGED", "EC2 managed prefix lists", nil, "AWS::EC2::PrefixList"),
	tagged("ECR_REPOSITORY_TAGGED", "ECR private repositories", nil, ecrRepository),
	tagged("FRAUDDETECTOR_ENTITY_TYPE_TAGGED", "Fraud Detector entity types", nil, "AWS::FraudDetector::EntityType"),
	tagged("FRAUDDETECTOR_LABEL_TAGGED", "Fraud Detector labels", nil, "AWS::FraudDetector::Label"),
	tagged("FRAUDDETECTOR_OUTCOME_TAGGED", "Fraud Detector outcomes", nil, "AWS::FraudDetector::Outcome"),
	tagged("FRAUDDETECTOR_VARIABLE_TAGGED", "Fraud Detector variables", nil, "AWS::FraudDetector::Variable"),
	tagged("GLUE_ML_TRANSFORM_TAGGED", "Glue machine learning transforms", nil, "AWS::Glue::MLTransform"),
	tagged("SAGEMAKER_APP_IMAGE_CONFIG_TAGGED", "SageMaker app image configurations", nil, "AWS::SageMaker::AppImageConfig"),
	tagged("SAGEMAKER_DOMAIN_TAGGED", "SageMaker domains", nil, "AWS::SageMaker::Domain"),
	tagged("SAGEMAKER_FEATURE_GROUP_TAGGED", "SageMaker feature groups", nil, "AWS::SageMaker::FeatureGroup"),
	tagged("SAGEMAKER_IMAGE_TAGGED", "SageMaker images", nil, "AWS::SageMaker::Image"),
}
