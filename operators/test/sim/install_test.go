package sim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/render"
	"ameide.io/operators/test/sim/simenv"
)

// The chart installed with helm: its manager Deployment is Available (kwok
// runs its pods, which run no code), and the manager outside the cluster
// authenticates as the chart's ServiceAccount.
func TestChartInstalled(t *testing.T) {
	requireEnv(t)
	deploymentAvailable(t, simenv.Namespace, simenv.Release)
	who := kubectl(t, "", "--kubeconfig", env.OperatorKubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
	if want := "system:serviceaccount:" + simenv.Namespace + ":" + simenv.Release; strings.TrimSpace(who) != want {
		t.Fatalf("the operator's kubeconfig authenticates as %q, want %q", who, want)
	}
	// Least privilege is what the manager really gets: no Secrets.
	if out, err := env.Kubectl("", "--kubeconfig", env.OperatorKubeconfig, "get", "secrets", "-n", simenv.Namespace); err == nil {
		t.Fatalf("the chart's ServiceAccount may list Secrets:\n%s", out)
	}
}

// Every example primitive, applied as plain manifests (as Argo CD would
// sync them), reaches Ready=True through the real controllers: the sales
// migration Job Completes in kwok's simulated run, each Deployment becomes
// Available.
func TestExamplesReachReady(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	createNamespace(t, "ameide-apps")
	kubectl(t, "", "-n", "ameide-apps", "create", "secret", "generic", "sales-db", "--from-literal=url=postgres://sales@db:5432/sales")
	for _, f := range []string{"demo-tenant.yaml", "sales-domain.yaml", "order-to-cash-process.yaml", "console-uisurface.yaml"} {
		kubectl(t, "", "apply", "-f", example(f))
	}

	t.Run("AmeideTenant demo", func(t *testing.T) {
		tn := wantCondition(t, &v1alpha1.AmeideTenant{ObjectMeta: metav1.ObjectMeta{Name: "demo"}},
			v1alpha1.ConditionReady, metav1.ConditionTrue, "").(*v1alpha1.AmeideTenant)
		want := []string{"tenant-demo-dev-base", "tenant-demo-dev-cust", "tenant-demo-prod-base", "tenant-demo-prod-cust"}
		if fmt.Sprint(tn.Status.Namespaces) != fmt.Sprint(want) {
			t.Errorf("status.namespaces %v, want %v", tn.Status.Namespaces, want)
		}
		for _, ns := range want {
			var n corev1.Namespace
			if err := k8s.Get(ctx, client.ObjectKey{Name: ns}, &n); err != nil {
				t.Errorf("namespace %s: %v", ns, err)
				continue
			}
			if n.Status.Phase != corev1.NamespaceActive || n.Labels[render.LabelTenant] != "demo" {
				t.Errorf("namespace %s: phase %s, labels %v", ns, n.Status.Phase, n.Labels)
			}
			var pols networkingv1.NetworkPolicyList
			if err := k8s.List(ctx, &pols, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
			denyAll := false
			for _, p := range pols.Items {
				if len(p.Spec.PodSelector.MatchLabels) == 0 && len(p.Spec.PodSelector.MatchExpressions) == 0 &&
					len(p.Spec.PolicyTypes) == 2 && len(p.Spec.Ingress) == 0 {
					denyAll = true
				}
			}
			if !denyAll {
				t.Errorf("namespace %s has no default-deny NetworkPolicy (every pod, ingress and egress): %v", ns, pols.Items)
			}
			var quotas corev1.ResourceQuotaList
			if err := k8s.List(ctx, &quotas, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
			if len(quotas.Items) != 1 || quotas.Items[0].Spec.Hard.Pods().String() != "40" {
				t.Errorf("namespace %s: ResourceQuota %v, want one with pods 40", ns, quotas.Items)
			}
			// The real quota controller has computed its usage.
			eventually(t, "quota usage of "+ns, func() error {
				var q corev1.ResourceQuotaList
				if err := k8s.List(ctx, &q, client.InNamespace(ns)); err != nil || len(q.Items) == 0 {
					return fmt.Errorf("no quota: %v", err)
				}
				if q.Items[0].Status.Used == nil {
					return fmt.Errorf("quota %s has no status.used yet", q.Items[0].Name)
				}
				return nil
			})
		}
	})

	t.Run("Domain sales", func(t *testing.T) {
		d := wantCondition(t, &v1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Namespace: "ameide-apps", Name: "sales"}},
			v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled).(*v1alpha1.Domain)
		if c := condition(d, v1alpha1.ConditionMigrationFailed); c == nil || c.Reason != controller.ReasonMigrationSucceeded {
			t.Errorf("MigrationFailed condition %v, want reason %s", c, controller.ReasonMigrationSucceeded)
		}
		job := &batchv1.Job{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: "ameide-apps", Name: render.MigrationJobName(d)}, job); err != nil {
			t.Fatalf("migration Job: %v", err)
		}
		if job.Status.Succeeded != 1 {
			t.Errorf("migration Job %s: succeeded %d, want 1 (completed by the Job controller)", job.Name, job.Status.Succeeded)
		}
		dep := deploymentAvailable(t, "ameide-apps", "sales")
		if dep.Status.ReadyReplicas != 2 {
			t.Errorf("sales Deployment: %d ready replicas, want 2", dep.Status.ReadyReplicas)
		}
		if d.Status.RunningVersion != "0.1.0" {
			t.Errorf("status.runningVersion %q, want 0.1.0", d.Status.RunningVersion)
		}
	})

	t.Run("Process order-to-cash", func(t *testing.T) {
		p := wantCondition(t, &v1alpha1.Process{ObjectMeta: metav1.ObjectMeta{Namespace: "ameide-apps", Name: "order-to-cash"}},
			v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled).(*v1alpha1.Process)
		if len(p.Status.PlanHash) < 16 {
			t.Errorf("status.planHash %q: the published plan's hash was not recorded", p.Status.PlanHash)
		}
		deploymentAvailable(t, "ameide-apps", "order-to-cash")
	})

	t.Run("UISurface console", func(t *testing.T) {
		wantCondition(t, &v1alpha1.UISurface{ObjectMeta: metav1.ObjectMeta{Namespace: "ameide-apps", Name: "console"}},
			v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
		dep := deploymentAvailable(t, "ameide-apps", "console")
		// The HPA keeps the console at its minReplicas (2).
		if dep.Status.AvailableReplicas < 1 {
			t.Errorf("console: %d available replicas", dep.Status.AvailableReplicas)
		}
	})

	// kubectl shows the printer columns.
	t.Run("kubectl get shows READY and REASON", func(t *testing.T) {
		out := kubectl(t, "", "get", "domains,processes,uisurfaces,ameidetenants", "-A")
		rows := map[string]bool{}
		headers := 0
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			if f[0] == "NAMESPACE" || f[0] == "NAME" {
				headers++
				if err := containsAll(line, "READY", "REASON", "AGE"); err != nil {
					t.Errorf("header: %v", err)
				}
				continue
			}
			for _, name := range []string{"domain.ameide.io/sales", "process.ameide.io/order-to-cash", "uisurface.ameide.io/console", "ameidetenant.ameide.io/demo"} {
				if strings.Contains(line, name+" ") && strings.Contains(line, " True ") && strings.Contains(line, " Reconciled ") {
					rows[name] = true
				}
			}
		}
		if headers != 4 || len(rows) != 4 {
			t.Fatalf("kubectl get: %d headers (want 4) and rows with True/Reconciled for %v (want all four):\n%s", headers, rows, out)
		}
	})
}

// A tenant-owned primitive aimed at an ameide-* namespace is refused by the
// chart's ValidatingAdmissionPolicy, evaluated by the API server.
func TestPlacementPolicyRefusesTenantCodeInAmeideNamespace(t *testing.T) {
	requireEnv(t)
	createNamespace(t, "ameide-apps")
	manifest := `apiVersion: ameide.io/v1alpha1
kind: Domain
metadata:
  name: custom-ledger
  namespace: ameide-apps
spec:
  image: registry.example/acme-ledger:1
  version: "1"
  ownership: tenant
  tenant: acme
  database: {mode: secret, secretRef: {name: ledger-db, key: url}}
`
	var out string
	var err error
	// A new policy is enforced once the API server has loaded it.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if out, err = env.Kubectl(manifest, "apply", "--dry-run=server", "-f", "-"); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatalf("a tenant-owned Domain in ameide-apps was admitted:\n%s", out)
	}
	if e := containsAll(out, "ameide-operator-placement", "tenant-owned Domain custom-ledger may not be placed in namespace ameide-apps",
		"reserved for platform primitives"); e != nil {
		t.Fatalf("refusal does not carry the policy's message: %v", e)
	}
}

// A CR that violates the schema is refused by the API server, naming the field.
func TestSchemaViolationRefusedNamingTheField(t *testing.T) {
	requireEnv(t)
	createNamespace(t, "bad-input")
	manifest := `apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: bad, namespace: bad-input}
spec:
  image: registry.example/bad:1
  version: "1"
  replicas: -3
  database: {mode: sqlite}
`
	out, err := env.Kubectl(manifest, "apply", "-f", "-")
	if err == nil {
		t.Fatalf("a schema-violating Domain was stored:\n%s", out)
	}
	if e := containsAll(out, "spec.database.mode", `"sqlite"`, "spec.replicas"); e != nil {
		t.Fatalf("the refusal does not name the fields: %v", e)
	}
}

// A valid Process whose ProcessDefinition does not exist stays Ready=False
// naming it, and the operator backs off instead of hot-looping: its
// reconcile count for the process controller grows by a handful over 20 s
// (exponential backoff from 1 s), not by hundreds.
func TestMissingReferenceBacksOff(t *testing.T) {
	requireEnv(t)
	ns := "missing-ref"
	createNamespace(t, ns)
	p := &v1alpha1.Process{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "refunds"},
		Spec: v1alpha1.ProcessSpec{
			Workload:   v1alpha1.Workload{Image: "registry.example/process-worker:1"},
			Definition: v1alpha1.DefinitionRef{Name: "refund-flow", Version: 1},
			Temporal:   v1alpha1.Temporal{Namespace: "default"},
		},
	}
	if err := k8s.Create(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), p) })
	got := wantCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, controller.ReasonProcessDefNotFound)
	if e := containsAll(condition(got, v1alpha1.ConditionReady).Message, `"refund-flow"`, "platform"); e != nil {
		t.Errorf("Ready message: %v", e)
	}
	var deps appsv1.DeploymentList
	children(t, &deps, ns, "refunds")
	if len(deps.Items) != 0 {
		t.Errorf("a worker Deployment was applied although its definition is missing")
	}

	o := currentOperator()
	sample := func() (reconciles, retries float64) {
		text, err := o.Metrics()
		if err != nil {
			t.Fatalf("operator /metrics: %v", err)
		}
		return simenv.Sum(text, "controller_runtime_reconcile_total", `controller="process"`),
			simenv.Sum(text, "workqueue_retries_total", `controller="process"`)
	}
	r0, q0 := sample()
	time.Sleep(20 * time.Second)
	r1, q1 := sample()
	t.Logf("process controller over 20 s: %v reconciles, %v workqueue retries", r1-r0, q1-q0)
	if r1-r0 > 10 {
		t.Errorf("the process controller reconciled %v times in 20 s for one missing reference: it hot-loops", r1-r0)
	}
	if q1 <= 0 {
		t.Errorf("workqueue_retries_total for the process controller is %v: the missing reference is not retried", q1)
	}
	// Still refused, still naming it.
	wantCondition(t, p, v1alpha1.ConditionReady, metav1.ConditionFalse, controller.ReasonProcessDefNotFound)
}
