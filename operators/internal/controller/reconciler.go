// Package controller holds the reconcilers of the Ameide primitives: one
// generic reconcile core (get the CR, render its children with
// internal/render, server-side apply each with the kind's field manager and a
// controller owner reference, prune children no longer rendered, derive
// status conditions) and the per-kind steps around it (a Domain's migration
// Job gates its Deployment, a Process's references are validated first, a
// Projection's lag sets Degraded, an AmeideTenant lists its namespaces).
//
// Deleting a CR needs no finalizer: every child carries a controller owner
// reference with blockOwnerDeletion, so the API server's garbage collector
// removes the children.
package controller

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

// Reconciler reconciles one primitive kind. All kinds share this code; the
// kind-specific steps are switched on the object's type.
type Reconciler struct {
	Client client.Client
	// APIReader reads past the cache (to confirm a child is really gone).
	APIReader client.Reader
	Scheme    *runtime.Scheme
	Kind      Kind
	// FieldManager is "ameide-operator-<kind>": one field manager per reconciler.
	FieldManager string
	// Render are the operator-wide render options (capabilities from discovery).
	Render render.Options
	// References validates a Process's ProcessDefinition and Temporal
	// namespace; nil only for reconcilers of other kinds.
	References ReferenceChecker
	// PlatformTenant is the tenant platform primitives that name none act for.
	PlatformTenant string
	// Recheck is how often a Ready Process re-validates its references.
	Recheck time.Duration
	// Lag reads a Projection's lag from the platform; nil leaves status.lag
	// to whoever writes it.
	Lag LagReader
	// LagInterval is how often a Projection's lag is read again.
	LagInterval time.Duration
}

// Reconcile is the idempotent reconcile of one CR: it computes the children
// from the CR alone, applies what differs, and writes status once.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := r.Kind.New()
	if err := r.Client.Get(ctx, req.NamespacedName, obj); err != nil {
		// Deleted: the garbage collector removes the children (owner references).
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !obj.GetDeletionTimestamp().IsZero() {
		return ctrl.Result{}, nil
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues("tenant", tenantOf(obj, r.PlatformTenant)))
	before := obj.DeepCopyObject().(client.Object)

	result, recErr := r.reconcile(ctx, obj)

	statusOf(obj).ObservedGeneration = obj.GetGeneration()
	if !equality.Semantic.DeepEqual(statusPart(before), statusPart(obj)) {
		// Optimistic lock: a status computed from a stale read must not
		// overwrite a newer one (a Drifted=True written a moment ago).
		patch := client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})
		if err := r.Client.Status().Patch(ctx, obj, patch); err != nil {
			if apierrors.IsNotFound(err) {
				return ctrl.Result{}, nil
			}
			if apierrors.IsConflict(err) && recErr == nil {
				log.FromContext(ctx).V(1).Info("status changed since read; reconciling again")
				return ctrl.Result{RequeueAfter: conflictRetry}, nil
			}
			return ctrl.Result{}, errors.Join(recErr, fmt.Errorf("write status of %s %s: %w", r.Kind.Name, req.NamespacedName, err))
		}
	}
	return result, recErr
}

// statusPart is the whole status of a primitive (for the change check).
func statusPart(obj client.Object) any {
	switch o := obj.(type) {
	case *v1alpha1.Domain:
		return o.Status
	case *v1alpha1.Process:
		return o.Status
	case *v1alpha1.Projection:
		return o.Status
	case *v1alpha1.AmeideTenant:
		return o.Status
	}
	return *statusOf(obj)
}

// conflictRetry is how soon a reconcile whose status write lost a race runs again.
const conflictRetry = 100 * time.Millisecond

// run is one reconcile's working state.
type run struct {
	r     *Reconciler
	obj   client.Object
	gen   int64
	conds *[]metav1.Condition
	// confirmMissing: the CR was Ready for this generation, so a child that
	// is missing was deleted (checked against the API server, not the cache).
	confirmMissing bool
	drift          []string
	recreated      []string
}

func (x *run) set(typ string, v verdict) {
	meta.SetStatusCondition(x.conds, v.condition(typ, x.gen))
}

func (x *run) apply(ctx context.Context, child *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	desired, err := x.r.desiredChild(x.obj, child)
	if err != nil {
		return nil, err
	}
	res, err := x.r.apply(ctx, desired, x.confirmMissing)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("%s %s", child.GetKind(), child.GetName())
	if res.Reverted {
		x.drift = append(x.drift, what)
	}
	if res.Created && x.confirmMissing {
		x.recreated = append(x.recreated, what)
	}
	return res.Live, nil
}

func (r *Reconciler) reconcile(ctx context.Context, obj client.Object) (ctrl.Result, error) {
	st := statusOf(obj)
	x := &run{r: r, obj: obj, gen: obj.GetGeneration(), conds: &st.Conditions}
	x.confirmMissing = readyAtGeneration(st.Conditions, x.gen)
	wl := workloadOf(obj)

	// Placement: tenant code never runs in a platform namespace. The
	// admission policy refuses such a create; this holds when it is absent.
	if wl != nil && wl.Ownership == v1alpha1.OwnershipTenant && strings.HasPrefix(obj.GetNamespace(), "ameide-") {
		x.set(v1alpha1.ConditionReady, verdict{metav1.ConditionFalse, ReasonPlacementRefused,
			fmt.Sprintf("tenant-owned %s %q (tenant %s) may not run in namespace %q: namespaces starting with \"ameide-\" are reserved for platform primitives; nothing was applied",
				r.Kind.Name, obj.GetName(), wl.Tenant, obj.GetNamespace())})
		return ctrl.Result{}, nil
	}

	opts := r.Render
	var result ctrl.Result
	if p, ok := obj.(*v1alpha1.Process); ok {
		refs, err := r.checkProcess(ctx, p)
		if err != nil {
			x.set(v1alpha1.ConditionReady, refusal(err))
			return ctrl.Result{}, errReferences{err}
		}
		p.Status.PlanHash = refs.PlanHash
		opts.PlanHash = refs.PlanHash
		result.RequeueAfter = r.Recheck
	}

	children, err := render.Children(obj, opts)
	if err == nil {
		err = r.checkChildren(children)
	}
	if err != nil {
		x.set(v1alpha1.ConditionReady, verdict{metav1.ConditionFalse, ReasonRenderFailed, err.Error()})
		return ctrl.Result{}, nil
	}

	var workload, migration *unstructured.Unstructured
	for _, c := range children {
		switch c.GetLabels()[render.LabelComponent] {
		case render.ComponentWorkload:
			if c.GroupVersionKind() == gvkDeployment {
				workload = c
			}
		case render.ComponentMigration:
			migration = c
		}
	}

	// holdWorkload, when set, says why the Deployment is not applied now
	// (it keeps whatever spec it has, and is not pruned).
	var holdWorkload *verdict
	var applyErrs []error
	if d, ok := obj.(*v1alpha1.Domain); ok && migration != nil {
		live, err := x.apply(ctx, migration)
		if err != nil {
			applyErrs = append(applyErrs, err)
			holdWorkload = &verdict{metav1.ConditionFalse, ReasonApplyFailed, err.Error()}
		} else {
			holdWorkload = r.migrationGate(x, d, live)
		}
	}
	if wl != nil {
		if wl.Paused {
			v := verdict{metav1.ConditionTrue, ReasonRolloutPaused,
				"spec.paused is set: the Deployment is held at its current revision and not applied"}
			x.set(v1alpha1.ConditionRolloutPaused, v)
			if holdWorkload == nil {
				holdWorkload = &verdict{metav1.ConditionFalse, ReasonRolloutPaused, v.Message}
			}
		} else {
			x.set(v1alpha1.ConditionRolloutPaused, verdict{metav1.ConditionFalse, ReasonNotPaused, "spec.paused is not set"})
		}
	}

	var deployment *appsv1.Deployment
	for _, c := range children {
		if c == migration {
			continue
		}
		if c == workload && holdWorkload != nil {
			continue
		}
		live, err := x.apply(ctx, c)
		if err != nil {
			applyErrs = append(applyErrs, err)
			continue
		}
		if c == workload {
			deployment = &appsv1.Deployment{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, deployment); err != nil {
				return ctrl.Result{}, fmt.Errorf("read applied Deployment %s: %w", live.GetName(), err)
			}
		}
	}
	if len(applyErrs) == 0 {
		if err := r.prune(ctx, obj, children); err != nil {
			applyErrs = append(applyErrs, err)
		}
	}

	// The lag comes from the platform, whatever the state of the children.
	var lagUnread *verdict
	var lagErr error
	if p, ok := obj.(*v1alpha1.Projection); ok && r.Lag != nil {
		lagUnread, lagErr = r.readLag(ctx, p)
		result.RequeueAfter = r.LagInterval
	}

	x.setDrift()
	switch {
	case len(applyErrs) > 0:
		x.set(v1alpha1.ConditionReady, verdict{metav1.ConditionFalse, ReasonApplyFailed, errors.Join(applyErrs...).Error()})
	case holdWorkload != nil:
		x.set(v1alpha1.ConditionReady, *holdWorkload)
	case workload != nil:
		ready, degraded := deploymentReadiness(deployment)
		x.set(v1alpha1.ConditionReady, ready)
		if p, ok := obj.(*v1alpha1.Projection); ok {
			lag := projectionLag(p)
			if lagUnread != nil {
				lag = *lagUnread
			}
			if lag.Status == metav1.ConditionTrue || degraded.Status != metav1.ConditionTrue {
				degraded = lag
			}
		}
		x.set(v1alpha1.ConditionDegraded, degraded)
		if d, ok := obj.(*v1alpha1.Domain); ok && ready.Status == metav1.ConditionTrue {
			d.Status.RunningVersion = d.Spec.Version
		}
	default:
		x.set(v1alpha1.ConditionReady, verdict{metav1.ConditionTrue, ReasonReconciled,
			fmt.Sprintf("%d children applied", len(children))})
	}
	if t, ok := obj.(*v1alpha1.AmeideTenant); ok {
		t.Status.Namespaces = namespacesOf(children)
	}
	if len(applyErrs) > 0 {
		// Returned so the workqueue retries with backoff; the condition
		// already names the failing child.
		return ctrl.Result{}, errors.Join(append(applyErrs, lagErr)...)
	}
	if lagErr != nil {
		// Backoff, not the interval: the condition already says why.
		return ctrl.Result{}, lagErr
	}
	return result, nil
}

// migrationGate reads the migration Job of the Domain's current version and
// decides whether the Deployment may roll to it.
func (r *Reconciler) migrationGate(x *run, d *v1alpha1.Domain, live *unstructured.Unstructured) *verdict {
	job := &batchv1.Job{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(live.Object, job); err != nil {
		v := verdict{metav1.ConditionFalse, ReasonApplyFailed, fmt.Sprintf("read migration Job %s: %v", live.GetName(), err)}
		return &v
	}
	outcome, reason, message := migrationOutcome(job)
	switch outcome {
	case jobComplete:
		d.Status.MigratedVersion = d.Spec.Version
		x.set(v1alpha1.ConditionMigrationFailed, verdict{metav1.ConditionFalse, ReasonMigrationSucceeded,
			fmt.Sprintf("migration Job %s completed for version %s", job.Name, d.Spec.Version)})
		return nil
	case jobFailed:
		if reason == "" {
			reason = "JobFailed"
		}
		msg := fmt.Sprintf("migration Job %s for version %s failed (%s)", job.Name, d.Spec.Version, reason)
		if message != "" {
			msg += ": " + message
		}
		msg += "; the Deployment keeps its previous version"
		x.set(v1alpha1.ConditionMigrationFailed, verdict{metav1.ConditionTrue, reason, msg})
		return &verdict{metav1.ConditionFalse, v1alpha1.ConditionMigrationFailed, msg}
	default:
		x.set(v1alpha1.ConditionMigrationFailed, verdict{metav1.ConditionFalse, ReasonMigrationRunning,
			fmt.Sprintf("migration Job %s for version %s is running", job.Name, d.Spec.Version)})
		if d.Status.MigratedVersion == d.Spec.Version {
			// This version was migrated before (the Job is re-running after
			// someone deleted it): the Deployment may stay current.
			return nil
		}
		return &verdict{metav1.ConditionFalse, ReasonMigrationRunning,
			fmt.Sprintf("waiting for migration Job %s to complete before the Deployment rolls to version %s", job.Name, d.Spec.Version)}
	}
}

// setDrift records reverted and recreated children. Drifted stays True for
// the generation it was seen at (so it can be read after the fact); a new
// spec generation starts from False.
func (x *run) setDrift() {
	switch {
	case len(x.drift) > 0:
		x.set(v1alpha1.ConditionDrifted, verdict{metav1.ConditionTrue, ReasonChildReverted,
			fmt.Sprintf("edited outside the operator and reverted: %s", strings.Join(x.drift, ", "))})
	case len(x.recreated) > 0:
		x.set(v1alpha1.ConditionDrifted, verdict{metav1.ConditionTrue, ReasonChildRecreated,
			fmt.Sprintf("deleted outside the operator and recreated: %s", strings.Join(x.recreated, ", "))})
	default:
		if c := meta.FindStatusCondition(*x.conds, v1alpha1.ConditionDrifted); c != nil &&
			c.Status == metav1.ConditionTrue && c.ObservedGeneration == x.gen {
			return
		}
		x.set(v1alpha1.ConditionDrifted, verdict{metav1.ConditionFalse, ReasonNoDrift, "every child matches its rendering"})
	}
}

// checkChildren refuses a rendering this reconciler could not watch or
// prune: a child of a kind it does not own, or without the managed-by label
// the manager's cache selects on.
func (r *Reconciler) checkChildren(children []*unstructured.Unstructured) error {
	owned := map[schema.GroupVersionKind]bool{}
	for _, g := range r.Kind.childKinds(r.Render.Capabilities) {
		owned[g] = true
	}
	for _, c := range children {
		if !owned[c.GroupVersionKind()] {
			return fmt.Errorf("render produced %s %s, a kind the %s reconciler does not own", c.GroupVersionKind(), c.GetName(), r.Kind.Name)
		}
		if c.GetLabels()[render.LabelManagedBy] != render.ManagedBy {
			return fmt.Errorf("render produced %s %s without the label %s=%s", c.GetKind(), c.GetName(), render.LabelManagedBy, render.ManagedBy)
		}
	}
	return nil
}

// refusal turns a failed reference check into the Ready condition.
func refusal(err error) verdict {
	if re, ok := AsReferenceError(err); ok {
		return verdict{metav1.ConditionFalse, re.Reason, re.Message}
	}
	return verdict{metav1.ConditionFalse, ReasonReferenceCheckFailed, err.Error()}
}

func (r *Reconciler) checkProcess(ctx context.Context, p *v1alpha1.Process) (ProcessReferences, error) {
	if r.References == nil {
		return ProcessReferences{}, errors.New("the operator has no reference checker configured (--transformation-url, --temporal-address)")
	}
	return r.References.CheckProcess(ctx, p, tenantOf(p, r.PlatformTenant))
}

func namespacesOf(children []*unstructured.Unstructured) []string {
	var out []string
	for _, c := range children {
		if c.GroupVersionKind() == gvkNamespace {
			out = append(out, c.GetName())
		}
	}
	sort.Strings(out)
	return out
}
