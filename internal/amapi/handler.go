package amapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/insights"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/server"
	"github.com/probity-dev/probity/internal/sigv4"
)

// Config configures a Handler. Library and Keys are required.
type Config struct {
	// Library is the application layer every operation calls; requests must be signed
	// for its region.
	Library *library.Service
	// Keys resolves the access keys that sign requests.
	Keys *keys.Manager
	// Assess serves the assessment operations; nil means one on Library's store, region
	// and clock.
	Assess *assess.Service
	// Insights serves the insights operations; nil means one on Library's store and Now.
	Insights *insights.Service
	// Now is the clock of signatures and of the statuses shown; nil means time.Now.
	Now func() time.Time
	// Logger receives one access log line per request; nil discards them.
	Logger *slog.Logger
	// Registerer receives the request metrics; nil means a private registry. Serving
	// them (GET /metrics) is the job of whoever owns the registry.
	Registerer prometheus.Registerer
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RateLimit is the sustained requests per second allowed to each access key (bursts
	// up to the same number); 0 means no limit.
	RateLimit float64
	// Ledger is the evidence ledger manual evidence goes to, with its blob store, and
	// which signs a checkpoint at every assessment status change; it is given to Assess
	// unless that has one. Nil means manual evidence is refused (InternalServerException).
	Ledger *evidence.Ledger
	// Objects reads the S3 objects manual evidence names; nil means the AWS SDK's
	// standard configuration (internal/awsconf), loaded on first use.
	Objects assess.ObjectReader
	// UploadSecret signs evidence file upload URLs (HMAC-SHA256); servers that share a
	// database share it. Empty means a random one: URLs then work on this process only,
	// until it stops.
	UploadSecret []byte
	// PublicURL is the scheme and host upload URLs and report links start with
	// (https://probity.example); empty means those the client used.
	PublicURL string
	// Reports serves the assessment report operations; nil means they answer a
	// ValidationException saying the server makes no reports.
	Reports *assess.Reports
}

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is 0: enough for a
// framework of 3,000 controls or a control with 100 data sources.
const DefaultMaxBodyBytes = 2 << 20

// Handler is the API as an http.Handler: every operation of the model at its path from
// the root (/controls, /assessmentFrameworks, ...), and UnknownOperationException, after
// authentication, for every other request it is given. It claims no path outside the
// model's: whoever mounts it decides which paths reach it (cmd/probity's router gives it
// everything but /healthz, /metrics and a web UI's prefix).
type Handler struct {
	cfg      Config
	lib      *library.Service
	assess   *assess.Service
	mux      *http.ServeMux
	unknown  http.Handler
	verifier sigv4.Verifier
	uploads  *uploadSigner
	ledger   *evidence.Ledger // nil: no evidence ledger (findings are refused)
	// reportLinks signs the download links of reports in local destinations.
	reportLinks *uploadSigner
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	limiter     *limiter
}

// New returns the Handler for cfg. It returns an error when a required member is missing
// or the metrics cannot be registered.
func New(cfg Config) (*Handler, error) {
	if cfg.Library == nil || cfg.Keys == nil {
		return nil, errors.New("amapi: Config needs Library and Keys")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	h := &Handler{
		cfg:    cfg,
		lib:    cfg.Library,
		assess: cfg.Assess,
		mux:    http.NewServeMux(),
		verifier: sigv4.Verifier{
			Service: "auditmanager",
			Region:  cfg.Library.ServedRegion(),
			Now:     cfg.Now,
			Secret:  secretFor(cfg.Keys),
		},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probity_api_requests_total",
			Help: "Audit Manager API requests by operation and HTTP status.",
		}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "probity_api_request_duration_seconds",
			Help:    "Audit Manager API request latency by operation and HTTP status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation", "status"}),
	}
	if h.assess == nil {
		h.assess = &assess.Service{Store: cfg.Library.Store, Region: cfg.Library.Region, Now: cfg.Library.Now}
	}
	if cfg.Ledger != nil && h.assess.Ledger == nil {
		sv := *h.assess // not yet in use: a copy with the ledger
		sv.Ledger, sv.Blobs = cfg.Ledger, cfg.Ledger.Blobs
		if sv.Objects == nil {
			sv.Objects = cfg.Objects
		}
		if sv.Objects == nil {
			sv.Objects = &evidence.S3Objects{Config: func(ctx context.Context) (aws.Config, error) {
				return awsconf.Load(ctx, awsconf.Options{})
			}}
		}
		if sv.Log == nil {
			sv.Log = cfg.Logger
		}
		h.assess = &sv
	}
	h.ledger = cfg.Ledger
	h.uploads = newUploadSigner(cfg.UploadSecret)
	h.reportLinks = reportLinkSigner(h.uploads)
	if cfg.RateLimit > 0 {
		h.limiter = newLimiter(cfg.RateLimit, cfg.Now)
	}
	for _, c := range []prometheus.Collector{h.requests, h.latency} {
		if err := cfg.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("amapi: register metrics: %w", err)
		}
	}
	for _, op := range operations {
		e, ok := endpoints[op.Name]
		if !ok {
			e = notImplemented(op.Name)
		}
		h.mux.Handle(op.Pattern(), h.endpoint(op, e))
	}
	for _, op := range probityOperations {
		h.mux.Handle(op.Pattern(), h.endpoint(op, endpoints[op.Name]))
	}
	h.unknown = h.endpoint(Operation{Name: "Unknown", Status: http.StatusOK}, unknownOperation)
	h.mux.Handle("/", h.unknown)
	return h, nil
}

// ServeHTTP implements http.Handler. A path that ServeMux would redirect ("/controls/.")
// names no operation: it gets the unknown-operation answer, after authentication, like
// any other.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !server.CleanPath(r.URL.Path) {
		h.unknown.ServeHTTP(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// principalKey carries, in a request's context, where the Secret callback leaves the
// holder of the key it looked up, so that one lookup serves both.
type principalKey struct{}

func secretFor(m *keys.Manager) func(ctx context.Context, id string) (string, error) {
	return func(ctx context.Context, id string) (string, error) {
		p, sec, err := m.Lookup(ctx, id)
		if err != nil {
			return "", err
		}
		if dst, ok := ctx.Value(principalKey{}).(*auth.Principal); ok {
			*dst = p
		}
		return sec, nil
	}
}

// call is one authenticated request to an operation.
type call struct {
	r      *http.Request
	body   []byte
	caller auth.Principal
	now    time.Time
}

// endpoint is an operation's implementation: the access level it needs and the function
// that returns the response members (nil for none) or an error.
type endpoint struct {
	needs auth.Level
	fn    func(ctx context.Context, h *Handler, c *call) (any, error)
}

// endpoint returns the http.Handler of one operation: read the body within the limit,
// verify the signature, check the role and the rate, run the operation, write the
// response or error, then count, time and log the request.
func (h *Handler) endpoint(op Operation, e endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := probity.NewID()
		w.Header().Set("X-Amzn-Requestid", reqID)
		var caller auth.Principal
		resp, err := h.serve(r, op, e, &caller)
		status := op.Status
		var ae *apiError
		if err != nil {
			ae = wireError(err)
			status = ae.status
			writeError(w, ae)
		} else {
			writeJSON(w, status, resp)
		}
		d := time.Since(start)
		code := strconv.Itoa(status)
		h.requests.WithLabelValues(op.Name, code).Inc()
		h.latency.WithLabelValues(op.Name, code).Observe(d.Seconds())
		level := slog.LevelInfo
		if ae != nil && ae.cause != nil {
			level = slog.LevelError
		}
		h.log(r, level, op.Name, status, d, reqID, caller, ae)
	})
}

// log writes the request's access log line: operation, status, duration, request id,
// remote address, then the key and account when the caller was known, and the error's
// type (and, for an internal error, its cause). The record is built here rather than by
// Logger.LogAttrs, which would also look up the caller's source line on every request.
func (h *Handler) log(r *http.Request, level slog.Level, op string, status int, d time.Duration, reqID string, caller auth.Principal, ae *apiError) {
	ctx := r.Context()
	lh := h.cfg.Logger.Handler()
	if !lh.Enabled(ctx, level) {
		return
	}
	rec := slog.NewRecord(time.Now(), level, "request", 0)
	rec.AddAttrs(slog.String("op", op), slog.Int("status", status), slog.Duration("duration", d),
		slog.String("request_id", reqID), slog.String("remote", r.RemoteAddr))
	if caller.Name != "" {
		rec.AddAttrs(slog.String("key", caller.Name), slog.String("account", caller.AccountID))
	}
	if ae != nil {
		rec.AddAttrs(slog.String("error_type", ae.Type))
		if ae.cause != nil {
			rec.AddAttrs(slog.String("error", ae.cause.Error()))
		}
	}
	_ = lh.Handle(ctx, rec) // a log that cannot be written has nowhere to say so
}

func (h *Handler) serve(r *http.Request, op Operation, e endpoint, caller *auth.Principal) (any, error) {
	limit := h.cfg.MaxBodyBytes
	if l := bodyLimits[op.Name]; l > limit {
		limit = l
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, Type: typeTooLarge,
				Message: fmt.Sprintf("The request body exceeds %d bytes.", limit)}
		}
		return nil, validation(reasonCannotParse, "The request body could not be read.")
	}
	ctx := context.WithValue(r.Context(), principalKey{}, caller)
	if _, err := h.verifier.Verify(r.WithContext(ctx), body); err != nil {
		return nil, err
	}
	if !caller.Level.Allows(e.needs) {
		return nil, accessDenied("The %s role of access key %s does not allow %s; it needs the %s role.",
			caller.Level, caller.Name, op.Name, e.needs)
	}
	if h.limiter != nil && !h.limiter.allow(caller.KeyID) {
		return nil, &apiError{status: http.StatusTooManyRequests, Type: typeThrottling, Message: "Rate exceeded."}
	}
	if !whileDeregistered[op.Name] {
		if err := h.lib.CheckActive(r.Context(), *caller); err != nil {
			return nil, err
		}
	}
	return e.fn(r.Context(), h, &call{r: r, body: body, caller: *caller, now: h.cfg.Now()})
}

// whileDeregistered are the operations a deregistered account may still call.
var whileDeregistered = map[string]bool{"GetAccountStatus": true, "RegisterAccount": true}

func notImplemented(name string) endpoint {
	return endpoint{needs: auth.Viewer, fn: func(ctx context.Context, h *Handler, c *call) (any, error) {
		return nil, &apiError{status: http.StatusNotImplemented, Type: typeNotImplemented,
			Message: "Probity does not serve the " + name + " operation of AWS Audit Manager."}
	}}
}

var unknownOperation = endpoint{needs: auth.Viewer, fn: func(ctx context.Context, h *Handler, c *call) (any, error) {
	return nil, &apiError{status: http.StatusNotFound, Type: typeUnknownOperation,
		Message: "No AWS Audit Manager operation is " + c.r.Method + " " + c.r.URL.Path + "."}
}}

var emptyObject = []byte("{}")

// jsonBuffers are the response buffers, reused: a response is written before its
// buffer goes back.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b := emptyObject
	if v != nil {
		buf := jsonBuffers.Get().(*bytes.Buffer)
		buf.Reset()
		defer func() {
			if buf.Cap() <= 1<<20 { // a rare huge response is not kept
				jsonBuffers.Put(buf)
			}
		}()
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			// Response types are ours and always marshal; reaching here is a bug.
			writeError(w, &apiError{status: http.StatusInternalServerError, Type: typeInternal, Message: "The server encountered an internal error."})
			return
		}
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("X-Amzn-Errortype", e.Type)
	b, _ := json.Marshal(e) // strings and field lists always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	w.Write(b)
}

// decode reads the JSON body into v. An empty body is an empty object; a body that is
// not UTF-8 or escapes a lone surrogate is a ValidationException.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := checkJSONText(c.body); err != nil {
		return err
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return validation(reasonCannotParse, "The request body could not be parsed: %s has the wrong type.", te.Field)
		}
		return validation(reasonCannotParse, "The request body is not valid JSON.")
	}
	return nil
}
