// Package manager builds the ameide-operator's controller-runtime manager:
// scheme, label-filtered cache, leader election (a coordination.k8s.io
// Lease), metrics and health endpoints, capabilities from discovery, and the
// enabled reconcilers. The binary and the integration tests share it.
package manager

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/projectionlag"
	"ameide.io/operators/internal/refcheck"
	"ameide.io/operators/internal/render"
)

// Options are the manager's settings (the binary's flags).
type Options struct {
	// Disabled reconcilers by name (domain, process, agent, uisurface,
	// projection, integration, tenant).
	Disabled map[string]bool

	LeaderElect             bool
	LeaderElectionID        string
	LeaderElectionNamespace string
	// LeaseDuration, RenewDeadline, RetryPeriod of the Lease (controller-runtime
	// defaults 15 s, 10 s, 2 s when zero).
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration

	MetricsBindAddress     string // "0" disables
	HealthProbeBindAddress string // "0" disables

	TemporalAddress   string
	TransformationURL string
	// ServiceTokenDir holds one token file per tenant (<dir>/<tenant>).
	ServiceTokenDir string
	PlatformTenant  string
	OTelEndpoint    string
	// TokenIssuer and JWKSURL: how RPC primitives verify bearer tokens
	// (AMEIDE_TOKEN_ISSUER / AMEIDE_JWKS_URL in their pods).
	TokenIssuer, JWKSURL string
	// IngressNamespace: the platform's ingress pods, admitted by every
	// Domain's NetworkPolicy.
	IngressNamespace string

	// ProjectionsURL: the platform service that serves ProjectionService,
	// which the Projection reconciler asks for each Projection's lag (with
	// the tenant's token from ServiceTokenDir); empty reads no lag.
	ProjectionsURL string
	// LagInterval: how often a Projection's lag is read (default 30 s).
	LagInterval time.Duration

	MaxConcurrentReconciles int
	BackoffBase, BackoffMax time.Duration
	Recheck                 time.Duration

	// References replaces the Transformation/Temporal checker (tests of
	// other reconcilers); nil builds the real one from the settings above.
	References controller.ReferenceChecker
	// Lag replaces the ProjectionService reader built from ProjectionsURL.
	Lag controller.LagReader
	// Capabilities, when set, replace discovery.
	Capabilities *render.Capabilities
	// SkipControllerNameValidation lets one process run several managers
	// with the same reconcilers (tests); controller names are otherwise
	// unique per process (their metrics).
	SkipControllerNameValidation bool
}

// DefaultLeaderElectionID is the Lease name.
const DefaultLeaderElectionID = "ameide-operator.ameide.io"

// New builds the manager for the cluster at cfg.
func New(cfg *rest.Config, o Options) (ctrl.Manager, error) {
	scheme, err := controller.NewScheme()
	if err != nil {
		return nil, err
	}
	var caps render.Capabilities
	if o.Capabilities != nil {
		caps = *o.Capabilities
	} else if caps, err = controller.DiscoverCapabilities(cfg); err != nil {
		return nil, err
	}
	if o.LeaderElectionID == "" {
		o.LeaderElectionID = DefaultLeaderElectionID
	}
	if o.MetricsBindAddress == "" {
		o.MetricsBindAddress = "0"
	}
	if o.HealthProbeBindAddress == "" {
		o.HealthProbeBindAddress = "0"
	}
	mopts := ctrl.Options{
		Scheme: scheme,
		Cache:  controller.CacheOptions(scheme, caps),
		// Read-your-writes: a reconcile right after a status write (or an
		// apply) reads the CR as written, not an older cached copy.
		Client: client.Options{Cache: &client.CacheOptions{
			Unstructured: true, EnableReadYourWritesConsistency: ptr.To(true)}},
		Metrics:                       metricsserver.Options{BindAddress: o.MetricsBindAddress},
		HealthProbeBindAddress:        o.HealthProbeBindAddress,
		LeaderElection:                o.LeaderElect,
		LeaderElectionID:              o.LeaderElectionID,
		LeaderElectionNamespace:       o.LeaderElectionNamespace,
		LeaderElectionReleaseOnCancel: true,
		Controller:                    ctrlconfig.Controller{SkipNameValidation: ptr.To(o.SkipControllerNameValidation)},
	}
	if o.LeaseDuration > 0 {
		mopts.LeaseDuration = &o.LeaseDuration
	}
	if o.RenewDeadline > 0 {
		mopts.RenewDeadline = &o.RenewDeadline
	}
	if o.RetryPeriod > 0 {
		mopts.RetryPeriod = &o.RetryPeriod
	}
	mgr, err := ctrl.NewManager(cfg, mopts)
	if err != nil {
		return nil, fmt.Errorf("create manager: %w", err)
	}
	if o.HealthProbeBindAddress != "0" {
		if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
			return nil, err
		}
		if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
			return nil, err
		}
	}
	refs := o.References
	if refs == nil && !o.Disabled["process"] {
		if o.TransformationURL == "" || o.TemporalAddress == "" {
			return nil, errors.New("the process reconciler needs --transformation-url and --temporal-address (or --disable=process)")
		}
		if o.ServiceTokenDir == "" {
			return nil, errors.New("the process reconciler needs --service-token-dir (one token file per tenant) to call the Transformation Domain")
		}
		refs = &refcheck.Checker{
			TransformationURL: o.TransformationURL,
			TemporalAddress:   o.TemporalAddress,
			Tokens:            refcheck.TokenDir(o.ServiceTokenDir),
		}
	}
	lag := o.Lag
	if lag == nil && o.ProjectionsURL != "" && !o.Disabled["projection"] {
		if o.ServiceTokenDir == "" {
			return nil, errors.New("--projections-url needs --service-token-dir (one token file per tenant) to call the ProjectionService")
		}
		lag = &projectionlag.Reader{URL: o.ProjectionsURL, Tokens: refcheck.TokenDir(o.ServiceTokenDir)}
	}
	err = controller.Setup(mgr, controller.Config{
		Disabled: o.Disabled,
		Render: render.Options{
			Capabilities:      caps,
			OTelEndpoint:      o.OTelEndpoint,
			TemporalAddress:   o.TemporalAddress,
			TransformationURL: o.TransformationURL,
			TokenIssuer:       o.TokenIssuer,
			JWKSURL:           o.JWKSURL,
			IngressNamespace:  o.IngressNamespace,
		},
		References:              refs,
		PlatformTenant:          o.PlatformTenant,
		MaxConcurrentReconciles: o.MaxConcurrentReconciles,
		BackoffBase:             o.BackoffBase,
		BackoffMax:              o.BackoffMax,
		Recheck:                 o.Recheck,
		Lag:                     lag,
		LagInterval:             o.LagInterval,
	})
	if err != nil {
		return nil, err
	}
	return mgr, nil
}
