package jobs

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity"
)

// Metrics counts collections by source type and outcome, as
// probity_collections_total{source_type, outcome}.
type Metrics struct {
	collections *prometheus.CounterVec
}

// NewMetrics registers the counters on reg. It returns an error when they are registered
// there already.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{collections: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "probity_collections_total",
		Help: "Evidence collections run, by source type and outcome (appended, duplicate, no_collector, inactive, failed).",
	}, []string{"source_type", "outcome"})}
	if err := reg.Register(m.collections); err != nil {
		return nil, fmt.Errorf("jobs: register metrics: %w", err)
	}
	return m, nil
}

func (m *Metrics) count(t probity.SourceType, o Outcome) {
	if m != nil {
		m.collections.WithLabelValues(string(t), string(o)).Inc()
	}
}
