package jobs

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity"
)

// Metrics counts collections by source type and outcome, as
// probity_collections_total{source_type, outcome}, and failed ones by the account they
// collect from, as probity_collection_failures_total{account}.
type Metrics struct {
	collections *prometheus.CounterVec
	failures    *prometheus.CounterVec
}

// NewMetrics registers the counters on reg. It returns an error when they are registered
// there already.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{collections: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "probity_collections_total",
		Help: "Evidence collections run, by source type and outcome (appended, duplicate, no_collector, inactive, failed).",
	}, []string{"source_type", "outcome"}), failures: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "probity_collection_failures_total",
		Help: "Evidence collections that failed, by the AWS account they collect from.",
	}, []string{"account"})}
	for _, c := range []prometheus.Collector{m.collections, m.failures} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("jobs: register metrics: %w", err)
		}
	}
	return m, nil
}

// count counts a collection's outcome; a failure also for the account it collects from.
func (m *Metrics) count(t probity.SourceType, o Outcome, target string) {
	if m == nil {
		return
	}
	m.collections.WithLabelValues(string(t), string(o)).Inc()
	if o == OutcomeFailed && target != "" {
		m.failures.WithLabelValues(target).Inc()
	}
}
