package pipeline

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the pipeline's Prometheus series, labelled by source.
type metrics struct {
	up           *prometheus.GaugeVec
	sourceErrors *prometheus.CounterVec
	reconciles   *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	changes      *prometheus.CounterVec
	failing      *prometheus.GaugeVec
	lastSuccess  *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probity_catalog_source_up",
			Help: "1 when the catalog source was last read and watched without error.",
		}, []string{"source"}),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probity_catalog_source_errors_total",
			Help: "Failures to read or watch a catalog source.",
		}, []string{"source"}),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probity_catalog_reconciles_total",
			Help: "Reconciles by result: ok, invalid (some files failed), error (source or store failed).",
		}, []string{"source", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "probity_catalog_reconcile_seconds",
			Help:    "Time to check, plan and apply one snapshot.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}, []string{"source"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probity_catalog_changes_total",
			Help: "Controls and frameworks created, updated and deleted by reconciles.",
		}, []string{"source", "action"}),
		failing: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probity_catalog_failing_files",
			Help: "Files of the source not in effect as they stand, after the last reconcile.",
		}, []string{"source"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "probity_catalog_last_reconcile_timestamp_seconds",
			Help: "When the source was last reconciled without a source or store failure.",
		}, []string{"source"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.up, m.sourceErrors, m.reconciles, m.duration, m.changes, m.failing, m.lastSuccess} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) setUp(source string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.up.WithLabelValues(source).Set(v)
}

func (m *metrics) record(source string, res *result, now time.Time) {
	result := "ok"
	if len(res.failures) > 0 {
		result = "invalid"
	}
	m.reconciles.WithLabelValues(source, result).Inc()
	for _, c := range res.changes {
		m.changes.WithLabelValues(source, c.Action).Inc()
	}
	m.failing.WithLabelValues(source).Set(float64(len(res.failures)))
	m.lastSuccess.WithLabelValues(source).Set(float64(now.Unix()))
}
