package controller

import (
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

// The manager's permissions, generated into config/rbac/role.yaml (and used
// by the Helm chart). Children are applied with patch (server-side apply;
// create for the first apply), pruned with delete; no update, no "*".
//
// +kubebuilder:rbac:groups=ameide.io,resources=domains;processes;agents;uisurfaces;projections;integrations;ameidetenants,verbs=get;list;watch
// +kubebuilder:rbac:groups=ameide.io,resources=domains/status;processes/status;agents/status;uisurfaces/status;projections/status;integrations/status;ameidetenants/status,verbs=get;patch
// +kubebuilder:rbac:groups=ameide.io,resources=domains/finalizers;processes/finalizers;agents/finalizers;uisurfaces/finalizers;projections/finalizers;integrations/finalizers;ameidetenants/finalizers,verbs=update
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups="",resources=services;configmaps;serviceaccounts;namespaces;resourcequotas;limitranges,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=batch,resources=jobs;cronjobs,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=monitoring.coreos.com,resources=servicemonitors,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=gateway.networking.k8s.io,resources=httproutes,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=postgresql.cnpg.io,resources=databases,verbs=get;list;watch;create;patch;delete
// Leader election Leases are not here: the chart grants them with a Role in the release namespace only.
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Config configures the reconcilers the manager runs.
type Config struct {
	// Disabled reconcilers by Kind name; the others run.
	Disabled map[string]bool
	// Render are the operator-wide render options; Capabilities come from
	// DiscoverCapabilities.
	Render render.Options
	// References checks Process references (required when the process
	// reconciler runs).
	References ReferenceChecker
	// PlatformTenant: the tenant of platform primitives that name none.
	PlatformTenant string
	// MaxConcurrentReconciles per reconciler (default 1).
	MaxConcurrentReconciles int
	// Backoff of a failing reconcile: from BackoffBase doubling to BackoffMax
	// (defaults 1 s and 5 min). The workqueue's rate limiter applies it.
	BackoffBase, BackoffMax time.Duration
	// Recheck is how often a Ready Process re-validates its references
	// (default 5 min).
	Recheck time.Duration
	// Lag reads each Projection's lag from the platform's ProjectionService;
	// nil leaves status.lag to whoever writes it (no --projections-url).
	Lag LagReader
	// LagInterval is how often a Projection's lag is read again (default 30 s).
	LagInterval time.Duration
}

// Setup registers one controller per enabled kind with mgr.
func Setup(mgr ctrl.Manager, cfg Config) error {
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = time.Second
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if cfg.Recheck == 0 {
		cfg.Recheck = 5 * time.Minute
	}
	if cfg.LagInterval == 0 {
		cfg.LagInterval = 30 * time.Second
	}
	if cfg.MaxConcurrentReconciles == 0 {
		cfg.MaxConcurrentReconciles = 1
	}
	for _, name := range KindNames() {
		if cfg.Disabled[name] {
			continue
		}
		k := Kinds[name]
		if name == "process" && cfg.References == nil {
			return fmt.Errorf("the process reconciler needs a reference checker (--transformation-url and --temporal-address), or --disable=process")
		}
		r := &Reconciler{
			Client:         mgr.GetClient(),
			APIReader:      mgr.GetAPIReader(),
			Scheme:         mgr.GetScheme(),
			Kind:           k,
			FieldManager:   "ameide-operator-" + name,
			Render:         cfg.Render,
			References:     cfg.References,
			PlatformTenant: cfg.PlatformTenant,
			Recheck:        cfg.Recheck,
			Lag:            cfg.Lag,
			LagInterval:    cfg.LagInterval,
		}
		if err := r.setup(mgr, cfg); err != nil {
			return fmt.Errorf("set up the %s reconciler: %w", name, err)
		}
	}
	return nil
}

func (r *Reconciler) setup(mgr ctrl.Manager, cfg Config) error {
	// Spec changes trigger a reconcile, status writes do not. Without a lag
	// reader a Projection's status.lag is written by someone else and must;
	// with one the operator writes it (every LagInterval), and its own write
	// must not start the next read.
	forPred := predicate.GenerationChangedPredicate{}
	var forOpts []builder.ForOption
	if r.Kind.Name != "projection" || r.Lag != nil {
		forOpts = append(forOpts, builder.WithPredicates(forPred))
	}
	b := ctrl.NewControllerManagedBy(mgr).
		Named(r.Kind.Name).
		For(r.Kind.New(), forOpts...).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: cfg.MaxConcurrentReconciles,
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](
				cfg.BackoffBase, cfg.BackoffMax),
		})
	for _, gvk := range r.Kind.childKinds(cfg.Render.Capabilities) {
		obj, err := newChildObject(mgr.GetScheme(), gvk)
		if err != nil {
			return err
		}
		b = b.Owns(obj)
	}
	return b.Complete(r)
}

func newChildObject(s *runtime.Scheme, gvk schema.GroupVersionKind) (client.Object, error) {
	if typed, err := s.New(gvk); err == nil {
		return typed.(client.Object), nil
	}
	if served := gvk == GVKServiceMonitor || gvk == GVKHTTPRoute || gvk == GVKCNPGDatabase; !served {
		return nil, fmt.Errorf("%s is neither built in nor an optional child kind", gvk)
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

// NewScheme has the built-in kinds and the Ameide primitives.
func NewScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// CacheOptions restricts the informers of child kinds to objects labelled
// app.kubernetes.io/managed-by=ameide-operator, so the manager does not
// cache every Deployment, ConfigMap or Namespace of the cluster, and keeps
// no managedFields.
func CacheOptions(s *runtime.Scheme, caps render.Capabilities) cache.Options {
	sel := labels.SelectorFromSet(labels.Set{render.LabelManagedBy: render.ManagedBy})
	by := map[client.Object]cache.ByObject{}
	kinds := append([]schema.GroupVersionKind(nil), builtinChildKinds...)
	for _, g := range []schema.GroupVersionKind{GVKServiceMonitor, GVKHTTPRoute, GVKCNPGDatabase} {
		if served(caps, g) {
			kinds = append(kinds, g)
		}
	}
	for _, gvk := range kinds {
		obj, err := newChildObject(s, gvk)
		if err != nil {
			continue
		}
		by[obj] = cache.ByObject{Label: sel}
	}
	// managedFields are the largest part of most cached objects and the
	// reconciler never reads them: the cache drops them.
	return cache.Options{ByObject: by, DefaultTransform: cache.TransformStripManagedFields()}
}

// DiscoverCapabilities asks the API server which optional APIs it serves.
func DiscoverCapabilities(cfg *rest.Config) (render.Capabilities, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return render.Capabilities{}, fmt.Errorf("discovery client: %w", err)
	}
	has := func(gvk schema.GroupVersionKind) (bool, error) {
		list, err := dc.ServerResourcesForGroupVersion(gvk.GroupVersion().String())
		if err != nil {
			if apierrors.IsNotFound(err) {
				return false, nil
			}
			return false, fmt.Errorf("discover %s: %w", gvk.GroupVersion(), err)
		}
		for _, res := range list.APIResources {
			if res.Kind == gvk.Kind {
				return true, nil
			}
		}
		return false, nil
	}
	var caps render.Capabilities
	if caps.PrometheusOperator, err = has(GVKServiceMonitor); err != nil {
		return caps, err
	}
	if caps.GatewayAPI, err = has(GVKHTTPRoute); err != nil {
		return caps, err
	}
	if caps.CNPG, err = has(GVKCNPGDatabase); err != nil {
		return caps, err
	}
	return caps, nil
}
