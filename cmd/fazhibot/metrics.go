package main

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fazhibot/bot"
)

// metrics are the server's Prometheus metrics. They are fed by the query
// log (every exchange passes through observe) and by gauges that read the
// live state when scraped.
type metrics struct {
	registry   *prometheus.Registry
	messages   *prometheus.CounterVec
	latency    prometheus.Histogram
	questions  prometheus.Counter
	unanswered prometheus.Counter
	storeErrs  *prometheus.CounterVec
}

// gauges reads the live state at scrape time; nil funcs are not exported.
type gauges struct {
	kbVersion  func() float64
	logBuffer  func() float64
	logDropped func() float64
	logWritten func() float64
}

func newMetrics(g gauges) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fazhibot_messages_total",
			Help: "Messages handled, by channel, message kind and outcome (answered, not_covered, small talk …).",
		}, []string{"channel", "kind", "outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "fazhibot_answer_latency_seconds",
			Help:    "Time from receiving a message to having its reply.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 4.5},
		}),
		questions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fazhibot_questions_total",
			Help: "Questions put to the knowledge base (answered or not); with fazhibot_unanswered_total it gives the unanswered rate.",
		}),
		unanswered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fazhibot_unanswered_total",
			Help: "Questions the knowledge base could not answer.",
		}),
		storeErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fazhibot_dependency_errors_total",
			Help: "Failures of a dependency the bot answered despite, by dependency (redis, database).",
		}, []string{"dependency"}),
	}
	m.registry.MustRegister(m.messages, m.latency, m.questions, m.unanswered, m.storeErrs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, spec := range map[string]struct {
		help string
		f    func() float64
		c    bool
	}{
		"fazhibot_knowledge_version":  {"The knowledge-base version being served.", g.kbVersion, false},
		"fazhibot_log_buffer_records": {"Query-log records waiting to be written.", g.logBuffer, false},
		"fazhibot_log_dropped_total":  {"Query-log records dropped because the buffer was full.", g.logDropped, true},
		"fazhibot_log_written_total":  {"Query-log records written to the database.", g.logWritten, true},
	} {
		if spec.f == nil {
			continue
		}
		if spec.c {
			m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: spec.help}, spec.f))
		} else {
			m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: spec.help}, spec.f))
		}
	}
	return m
}

// Log records one exchange in the metrics. It implements bot.QueryLogger.
func (m *metrics) Log(_ context.Context, e bot.LogEntry) {
	outcome := string(e.Intent)
	if e.Intent == bot.IntentAnswer || e.Intent == bot.IntentNotCovered {
		m.questions.Inc()
		if !e.Answered {
			m.unanswered.Inc()
		}
	}
	if outcome == "" {
		outcome = "none"
	}
	m.messages.WithLabelValues(string(e.Channel), string(e.Kind), outcome).Inc()
	m.latency.Observe(e.Latency.Seconds())
	if e.StoreError != "" {
		m.storeErrs.WithLabelValues("redis").Inc()
	}
}

// databaseError counts a failed database write (of the query log).
func (m *metrics) databaseError() { m.storeErrs.WithLabelValues("database").Inc() }

// handler serves the metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// teeLogger passes each exchange to several query loggers.
type teeLogger []bot.QueryLogger

func (t teeLogger) Log(ctx context.Context, e bot.LogEntry) {
	for _, l := range t {
		l.Log(ctx, e)
	}
}
