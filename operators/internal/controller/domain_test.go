package controller_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

func newDomain(ns, name, version string) *v1alpha1.Domain {
	return &v1alpha1.Domain{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.DomainSpec{
			Workload: v1alpha1.Workload{Image: "registry.example/sales:" + version},
			Version:  version,
			Database: v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseSecret,
				SecretRef: &v1alpha1.SecretKeyRef{Name: name + "-db", Key: "url"}},
			AllowedCallers: []string{"console"},
		},
	}
}

func getDomain(ctx context.Context, ns, name string) (*v1alpha1.Domain, error) {
	d := &v1alpha1.Domain{}
	return d, get(ctx, d, ns, name)
}

func mainImage(d *appsv1.Deployment) string {
	if len(d.Spec.Template.Spec.Containers) == 0 {
		return ""
	}
	return d.Spec.Template.Spec.Containers[0].Image
}

// createReadyDomain creates a Domain and takes it to Ready at v1: the
// migration Job completes, the Deployment appears and becomes available.
func createReadyDomain(t *testing.T, ns, name string) *v1alpha1.Domain {
	t.Helper()
	ctx := ctxT(t)
	d := newDomain(ns, name, "v1")
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatalf("create Domain: %v", err)
	}
	job := render.MigrationJobName(d)
	eventually(t, "migration Job exists", func() error { return get(ctx, &batchv1.Job{}, ns, job) })
	finishJob(t, ns, job, true)
	eventually(t, "Deployment exists", func() error { return get(ctx, &appsv1.Deployment{}, ns, name) })
	markAvailable(t, ns, name)
	eventually(t, "Domain Ready", func() error {
		got, err := getDomain(ctx, ns, name)
		if err != nil {
			return err
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionTrue, "Reconciled")
	})
	got, err := getDomain(ctx, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A new Domain gets its migration Job, Service and NetworkPolicy at once;
// the Deployment only after the Job completed; Ready follows the
// Deployment's availability, every condition at the CR's generation.
func TestDomainCreateMigratesThenDeploys(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-create")
	d := newDomain(ns, "sales", "v1")
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatalf("create Domain: %v", err)
	}
	jobName := render.MigrationJobName(d)
	job := &batchv1.Job{}
	eventually(t, "migration Job", func() error { return get(ctx, job, ns, jobName) })
	if err := wantOwned(job, d, "Domain"); err != nil {
		t.Error(err)
	}
	if got := job.Spec.Template.Spec.Containers[0].Image; got != "registry.example/sales:v1" {
		t.Errorf("migration image %q", got)
	}
	if got := job.Labels[render.LabelComponent]; got != render.ComponentMigration {
		t.Errorf("Job component label %q", got)
	}
	svc := &corev1.Service{}
	eventually(t, "Service", func() error { return get(ctx, svc, ns, "sales") })
	if err := wantOwned(svc, d, "Domain"); err != nil {
		t.Error(err)
	}
	if len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("Service ports %+v, want 8080 (the defaulted spec.port)", svc.Spec.Ports)
	}
	policies := &networkingv1.NetworkPolicyList{}
	eventually(t, "NetworkPolicy", func() error {
		if err := childrenOf(ctx, policies, ns, "sales"); err != nil {
			return err
		}
		if len(policies.Items) != 1 {
			return fmt.Errorf("%d NetworkPolicies", len(policies.Items))
		}
		return nil
	})
	if !strings.Contains(fmt.Sprint(policies.Items[0].Spec.Ingress), "console") {
		t.Errorf("NetworkPolicy ingress %+v does not admit the allowed caller console", policies.Items[0].Spec.Ingress)
	}

	eventually(t, "Ready=False MigrationRunning", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "MigrationRunning")
	})
	if err := get(ctx, &appsv1.Deployment{}, ns, "sales"); !apierrors.IsNotFound(err) {
		t.Fatalf("Deployment before the migration completed: %v; want NotFound", err)
	}

	finishJob(t, ns, jobName, true)
	dep := &appsv1.Deployment{}
	eventually(t, "Deployment after migration", func() error { return get(ctx, dep, ns, "sales") })
	if err := wantOwned(dep, d, "Domain"); err != nil {
		t.Error(err)
	}
	if got := mainImage(dep); got != "registry.example/sales:v1" {
		t.Errorf("Deployment image %q", got)
	}
	env := map[string]string{}
	for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	for k, v := range map[string]string{"AMEIDE_PRIMITIVE_TYPE": "domain", "AMEIDE_PRIMITIVE_NAME": "sales", "AMEIDE_TENANT_MODE": "shared"} {
		if env[k] != v {
			t.Errorf("env %s=%q, want %q", k, env[k], v)
		}
	}
	if dep.Labels[render.LabelComponent] != render.ComponentWorkload {
		t.Errorf("Deployment component label %q", dep.Labels[render.LabelComponent])
	}
	eventually(t, "Ready=False until available", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if got.Status.MigratedVersion != "v1" {
			return fmt.Errorf("migratedVersion %q", got.Status.MigratedVersion)
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "")
	})
	markAvailable(t, ns, "sales")
	eventually(t, "Ready=True", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if got.Status.ObservedGeneration != got.Generation {
			return fmt.Errorf("observedGeneration %d, generation %d", got.Status.ObservedGeneration, got.Generation)
		}
		if got.Status.RunningVersion != "v1" {
			return fmt.Errorf("runningVersion %q", got.Status.RunningVersion)
		}
		for _, c := range []struct {
			typ    string
			status metav1.ConditionStatus
			reason string
		}{
			{v1alpha1.ConditionReady, metav1.ConditionTrue, "Reconciled"},
			{v1alpha1.ConditionMigrationFailed, metav1.ConditionFalse, "MigrationSucceeded"},
			{v1alpha1.ConditionRolloutPaused, metav1.ConditionFalse, "NotPaused"},
			{v1alpha1.ConditionDegraded, metav1.ConditionFalse, "AllReplicasAvailable"},
			{v1alpha1.ConditionDrifted, metav1.ConditionFalse, "NoDrift"},
		} {
			if err := wantCondition(got.Status.Conditions, got.Generation, c.typ, c.status, c.reason); err != nil {
				return err
			}
		}
		return nil
	})
}

// A new version runs its own migration Job first; the Deployment keeps the
// old pod template until that Job completes, then rolls; the old Job is
// pruned.
func TestDomainUpdateRollsAfterMigration(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-update")
	d := createReadyDomain(t, ns, "sales")
	oldJob := render.MigrationJobName(d)

	d.Spec.Version, d.Spec.Image = "v2", "registry.example/sales:v2"
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatalf("update Domain: %v", err)
	}
	newJob := render.MigrationJobName(d)
	if newJob == oldJob {
		t.Fatalf("the v2 migration Job has the v1 Job's name %s", newJob)
	}
	eventually(t, "v2 migration Job", func() error { return get(ctx, &batchv1.Job{}, ns, newJob) })
	eventually(t, "Ready=False MigrationRunning at the new generation", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "MigrationRunning")
	})
	dep := &appsv1.Deployment{}
	if err := get(ctx, dep, ns, "sales"); err != nil {
		t.Fatal(err)
	}
	if got := mainImage(dep); got != "registry.example/sales:v1" {
		t.Fatalf("Deployment rolled to %q before the v2 migration completed", got)
	}

	finishJob(t, ns, newJob, true)
	eventually(t, "Deployment rolls to v2", func() error {
		if err := get(ctx, dep, ns, "sales"); err != nil {
			return err
		}
		if got := mainImage(dep); got != "registry.example/sales:v2" {
			return fmt.Errorf("image %q", got)
		}
		if dep.Spec.Template.Labels[render.LabelVersion] != "v2" && dep.Spec.Template.Annotations[render.LabelVersion] != "v2" {
			return fmt.Errorf("pod template does not carry version v2: labels %v annotations %v", dep.Spec.Template.Labels, dep.Spec.Template.Annotations)
		}
		return nil
	})
	eventually(t, "v1 migration Job pruned", func() error {
		err := get(ctx, &batchv1.Job{}, ns, oldJob)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("old Job still there: %v", err)
	})
	markAvailable(t, ns, "sales")
	eventually(t, "Ready at v2", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if got.Status.MigratedVersion != "v2" || got.Status.RunningVersion != "v2" {
			return fmt.Errorf("migratedVersion %q runningVersion %q", got.Status.MigratedVersion, got.Status.RunningVersion)
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionTrue, "Reconciled")
	})
}

// A failed migration Job reports MigrationFailed with the Job's reason and
// message; the Deployment keeps its previous spec.
func TestDomainFailedMigrationKeepsOldDeployment(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-failed")
	d := createReadyDomain(t, ns, "sales")
	before := &appsv1.Deployment{}
	if err := get(ctx, before, ns, "sales"); err != nil {
		t.Fatal(err)
	}

	d.Spec.Version, d.Spec.Image = "v2", "registry.example/sales:v2"
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatalf("update Domain: %v", err)
	}
	job := render.MigrationJobName(d)
	eventually(t, "v2 migration Job", func() error { return get(ctx, &batchv1.Job{}, ns, job) })
	finishJob(t, ns, job, false)

	eventually(t, "MigrationFailed", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionMigrationFailed, metav1.ConditionTrue, "BackoffLimitExceeded"); err != nil {
			return err
		}
		c := condition(got.Status.Conditions, v1alpha1.ConditionMigrationFailed)
		if !strings.Contains(c.Message, job) || !strings.Contains(c.Message, "backoff limit") {
			return fmt.Errorf("MigrationFailed message %q names neither the Job nor its failure", c.Message)
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "MigrationFailed")
	})
	after := &appsv1.Deployment{}
	if err := get(ctx, after, ns, "sales"); err != nil {
		t.Fatal(err)
	}
	if mainImage(after) != "registry.example/sales:v1" || after.Generation != before.Generation {
		t.Fatalf("Deployment changed after the failed migration: image %q generation %d (was %d)",
			mainImage(after), after.Generation, before.Generation)
	}
	got, _ := getDomain(ctx, ns, "sales")
	if got.Status.MigratedVersion != "v1" || got.Status.RunningVersion != "v1" {
		t.Errorf("migratedVersion %q runningVersion %q, want both v1", got.Status.MigratedVersion, got.Status.RunningVersion)
	}
}

// Children deleted or edited by someone else come back as rendered, and
// the Domain reports Drifted naming them.
func TestDomainDriftIsReverted(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-drift")
	createReadyDomain(t, ns, "sales")

	// Edited: another field manager changes the image and the replicas.
	dep := &appsv1.Deployment{}
	if err := get(ctx, dep, ns, "sales"); err != nil {
		t.Fatal(err)
	}
	dep.Spec.Template.Spec.Containers[0].Image = "evil.example/miner:latest"
	dep.Spec.Replicas = ptr.To[int32](7)
	if err := k8s.Update(ctx, dep, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatalf("edit Deployment: %v", err)
	}
	eventually(t, "edit reverted", func() error {
		if err := get(ctx, dep, ns, "sales"); err != nil {
			return err
		}
		if mainImage(dep) != "registry.example/sales:v1" || ptr.Deref(dep.Spec.Replicas, 0) != 1 {
			return fmt.Errorf("image %q replicas %d", mainImage(dep), ptr.Deref(dep.Spec.Replicas, 0))
		}
		return nil
	})
	eventually(t, "Drifted=True ChildReverted", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionDrifted, metav1.ConditionTrue, "ChildReverted"); err != nil {
			return err
		}
		if !strings.Contains(driftOf(got.Status.Conditions), "Deployment sales") {
			return fmt.Errorf("Drifted does not name the Deployment: %s", driftOf(got.Status.Conditions))
		}
		return nil
	})

	// Deleted: the Service comes back (same spec, new UID).
	svc := &corev1.Service{}
	if err := get(ctx, svc, ns, "sales"); err != nil {
		t.Fatal(err)
	}
	oldUID := svc.UID
	if err := k8s.Delete(ctx, svc); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Service recreated", func() error {
		if err := get(ctx, svc, ns, "sales"); err != nil {
			return err
		}
		if svc.UID == oldUID {
			return fmt.Errorf("still the old Service")
		}
		return nil
	})
	if len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("recreated Service ports %+v", svc.Spec.Ports)
	}
}

// Removing spec.autoscaling prunes the HPA; the Deployment gets replicas back.
func TestDomainPrunesRemovedChildren(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-prune")
	d := newDomain(ns, "sales", "v1")
	d.Spec.Autoscaling = &v1alpha1.Autoscaling{MinReplicas: 2, MaxReplicas: 5}
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{}
	eventually(t, "HPA", func() error { return get(ctx, hpa, ns, "sales") })
	if hpa.Spec.MaxReplicas != 5 || ptr.Deref(hpa.Spec.MinReplicas, 0) != 2 || hpa.Spec.ScaleTargetRef.Name != "sales" {
		t.Errorf("HPA spec %+v", hpa.Spec)
	}
	if err := get(ctx, d, ns, "sales"); err != nil {
		t.Fatal(err)
	}
	d.Spec.Autoscaling = nil
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	eventually(t, "HPA pruned", func() error {
		err := get(ctx, &autoscalingv2.HorizontalPodAutoscaler{}, ns, "sales")
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("HPA still there: %v", err)
	})
}

// spec.paused holds the Deployment: a new version migrates but does not
// roll, and RolloutPaused says so.
func TestDomainPausedHoldsDeployment(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-paused")
	d := createReadyDomain(t, ns, "sales")
	d.Spec.Paused = true
	d.Spec.Version, d.Spec.Image = "v2", "registry.example/sales:v2"
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	job := render.MigrationJobName(d)
	eventually(t, "v2 migration Job", func() error { return get(ctx, &batchv1.Job{}, ns, job) })
	finishJob(t, ns, job, true)
	eventually(t, "RolloutPaused", func() error {
		got, err := getDomain(ctx, ns, "sales")
		if err != nil {
			return err
		}
		if got.Status.MigratedVersion != "v2" {
			return fmt.Errorf("migratedVersion %q", got.Status.MigratedVersion)
		}
		if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionRolloutPaused, metav1.ConditionTrue, "RolloutPaused"); err != nil {
			return err
		}
		return wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "RolloutPaused")
	})
	dep := &appsv1.Deployment{}
	if err := get(ctx, dep, ns, "sales"); err != nil {
		t.Fatal(err)
	}
	if mainImage(dep) != "registry.example/sales:v1" {
		t.Fatalf("paused Deployment rolled to %q", mainImage(dep))
	}
	d, _ = getDomain(ctx, ns, "sales")
	d.Spec.Paused = false
	if err := k8s.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	eventually(t, "unpaused rolls to v2", func() error {
		if err := get(ctx, dep, ns, "sales"); err != nil {
			return err
		}
		if mainImage(dep) != "registry.example/sales:v2" {
			return fmt.Errorf("image %q", mainImage(dep))
		}
		return nil
	})
}

// The schema and its CEL rules refuse invalid Domains, naming the field.
func TestDomainInvalidRefusedBySchema(t *testing.T) {
	requireEnv(t)
	ns := newNamespace(t, "domain-invalid")
	cnpg := newDomain(ns, "no-cluster", "v1")
	cnpg.Spec.Database = v1alpha1.DomainDatabase{Mode: v1alpha1.DatabaseCNPG}
	wantRefused(t, cnpg, "spec.database.cluster", "database.cluster is required when database.mode is cnpg")

	hpa := newDomain(ns, "bad-hpa", "v1")
	hpa.Spec.Autoscaling = &v1alpha1.Autoscaling{MinReplicas: 5, MaxReplicas: 2}
	wantRefused(t, hpa, "spec.autoscaling.maxReplicas", "must be >= autoscaling.minReplicas")

	env := newDomain(ns, "bad-env", "v1")
	env.Spec.Env = map[string]string{"AMEIDE_TENANT_MODE": "dedicated"}
	wantRefused(t, env, "spec.env", "reserved for the operator")

	version := newDomain(ns, "bad-version", "v1")
	version.Spec.Version = "-v1 beta"
	wantRefused(t, version, "spec.version")

	tenant := newDomain(ns, "no-tenant", "v1")
	tenant.Spec.Ownership = v1alpha1.OwnershipTenant
	wantRefused(t, tenant, "spec.tenant", "tenant is required when ownership is tenant")
}

// A tenant-owned Domain in an ameide-* namespace is refused by the
// reconciler: Ready=False PlacementRefused and nothing applied.
func TestDomainPlacementRefused(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := newNamespace(t, "ameide-system")
	d := newDomain(ns, "custom", "v1")
	d.Spec.Ownership, d.Spec.Tenant = v1alpha1.OwnershipTenant, "acme"
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatalf("create: %v", err)
	}
	eventually(t, "PlacementRefused", func() error {
		got, err := getDomain(ctx, ns, "custom")
		if err != nil {
			return err
		}
		if err := wantCondition(got.Status.Conditions, got.Generation, v1alpha1.ConditionReady, metav1.ConditionFalse, "PlacementRefused"); err != nil {
			return err
		}
		if msg := condition(got.Status.Conditions, v1alpha1.ConditionReady).Message; !strings.Contains(msg, ns) || !strings.Contains(msg, "acme") {
			return fmt.Errorf("message %q names neither the namespace nor the tenant", msg)
		}
		return nil
	})
	// The reconcile that wrote the refusal applied nothing.
	for _, list := range []client.ObjectList{&batchv1.JobList{}, &corev1.ServiceList{}, &appsv1.DeploymentList{}, &networkingv1.NetworkPolicyList{}} {
		if err := childrenOf(ctx, list, ns, "custom"); err != nil {
			t.Fatal(err)
		}
		if n := len(mustItems(t, list)); n != 0 {
			t.Errorf("%T: %d children applied for a refused placement", list, n)
		}
	}
}

// Deleting the Domain removes its children through the owner references
// (the garbage collector of kube-controller-manager).
func TestDomainDeletedChildrenGone(t *testing.T) {
	requireEnv(t)
	if !gcRunning {
		t.Skip("kube-controller-manager is not in KUBEBUILDER_ASSETS (operators/hack/control-plane.sh kube-controller-manager): no garbage collector to test against")
	}
	ctx := ctxT(t)
	ns := newNamespace(t, "domain-delete")
	d := createReadyDomain(t, ns, "sales")
	if err := k8s.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []client.Object{&appsv1.Deployment{}, &corev1.Service{}, &batchv1.Job{}} {
		name := "sales"
		if _, ok := obj.(*batchv1.Job); ok {
			name = render.MigrationJobName(d)
		}
		eventually(t, fmt.Sprintf("%T gone", obj), func() error {
			err := get(ctx, obj, ns, name)
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("still there (err %v)", err)
		})
	}
	policies := &networkingv1.NetworkPolicyList{}
	eventually(t, "NetworkPolicy gone", func() error {
		if err := childrenOf(ctx, policies, ns, "sales"); err != nil {
			return err
		}
		if len(policies.Items) > 0 {
			return fmt.Errorf("%d left", len(policies.Items))
		}
		return nil
	})
}
