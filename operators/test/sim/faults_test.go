package sim_test

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/render"
)

// The operator is SIGKILLed while it is applying a batch of Domains (some
// have children, others not yet); a new manager process takes the Lease
// once the dead one's expires and converges: every Domain Ready, exactly one
// of each child, one ReplicaSet per Deployment.
func TestOperatorKilledMidReconcile(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := "fault-kill"
	createNamespace(t, ns)
	const n = 12
	for i := range n {
		if err := k8s.Create(ctx, domain(ns, fmt.Sprintf("d%02d", i), "1", 2)); err != nil {
			t.Fatal(err)
		}
	}
	// Mid-reconcile: the first children exist, not every Domain is Ready.
	eventually(t, "the first migration Job", func() error {
		var jobs batchv1.JobList
		if err := k8s.List(ctx, &jobs, client.InNamespace(ns)); err != nil {
			return err
		}
		if len(jobs.Items) == 0 {
			return fmt.Errorf("no Job yet")
		}
		return nil
	})
	var list v1alpha1.DomainList
	if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	ready := 0
	for i := range list.Items {
		if c := condition(&list.Items[i], v1alpha1.ConditionReady); c != nil && c.Status == metav1.ConditionTrue {
			ready++
		}
	}
	old := currentOperator()
	old.Kill()
	t.Logf("operator (pid %d) killed with %d of %d Domains Ready", old.Pid(), ready, n)
	if ready == n {
		t.Fatalf("every Domain was already Ready before the kill; the test did not interrupt a reconcile")
	}
	replaceOperator(t, "operator-2")

	for i := range n {
		name := fmt.Sprintf("d%02d", i)
		wantCondition(t, &v1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}},
			v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
		var deps appsv1.DeploymentList
		children(t, &deps, ns, name)
		var svcs corev1.ServiceList
		children(t, &svcs, ns, name)
		var jobs batchv1.JobList
		children(t, &jobs, ns, name)
		var pols networkingv1.NetworkPolicyList
		children(t, &pols, ns, name)
		if len(deps.Items) != 1 || len(svcs.Items) != 1 || len(jobs.Items) != 1 || len(pols.Items) != 1 {
			t.Errorf("Domain %s: %d Deployments, %d Services, %d Jobs, %d NetworkPolicies; want one of each",
				name, len(deps.Items), len(svcs.Items), len(jobs.Items), len(pols.Items))
		}
		var rss appsv1.ReplicaSetList
		if err := k8s.List(ctx, &rss, client.InNamespace(ns), client.MatchingLabels{render.LabelName: name}); err != nil {
			t.Fatal(err)
		}
		if len(rss.Items) != 1 {
			t.Errorf("Domain %s: %d ReplicaSets, want 1 (the Deployment was rolled more than once)", name, len(rss.Items))
		}
	}
}

// Pods of a Domain lose readiness, as the node-lifecycle controller marks
// them when their node goes NotReady: the Domain is Degraded (still
// Available, fewer replicas). Deleting those pods (a drain) lets the
// ReplicaSet replace them on healthy nodes: Ready, Degraded=False again.
//
// kwok rewrites a simulated node's Ready condition on its next heartbeat,
// so the test sets the pod condition the node-lifecycle controller would.
func TestPodsNotReadyDegradedThenReady(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := "fault-node"
	createNamespace(t, ns)
	// 4 replicas: the default maxUnavailable (25%) keeps the Deployment
	// Available with one replica down.
	if err := k8s.Create(ctx, domain(ns, "orders", "1", 4)); err != nil {
		t.Fatal(err)
	}
	d := &v1alpha1.Domain{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orders"}}
	wantCondition(t, d, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
	deploymentAvailable(t, ns, "orders")

	var pods corev1.PodList
	if err := k8s.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{
		render.LabelName: "orders", render.LabelComponent: render.ComponentWorkload}); err != nil {
		t.Fatal(err)
	}
	var victim *corev1.Pod
	for i := range pods.Items {
		if pods.Items[i].Status.Phase == corev1.PodRunning && pods.Items[i].DeletionTimestamp == nil {
			victim = &pods.Items[i]
			break
		}
	}
	if victim == nil {
		t.Fatalf("no running orders pod: %v", pods.Items)
	}
	node := victim.Spec.NodeName
	var onNode []corev1.Pod
	for _, p := range pods.Items {
		if p.Spec.NodeName == node && p.DeletionTimestamp == nil {
			onNode = append(onNode, p)
		}
	}
	if len(onNode) >= 2 {
		onNode = onNode[:1] // one replica down keeps the Deployment Available
	}
	for i := range onNode {
		p := &onNode[i]
		before := p.DeepCopy()
		for j := range p.Status.Conditions {
			if p.Status.Conditions[j].Type == corev1.PodReady {
				p.Status.Conditions[j].Status = corev1.ConditionFalse
				p.Status.Conditions[j].Reason = "NodeNotReady"
				p.Status.Conditions[j].LastTransitionTime = metav1.Now()
			}
		}
		if err := k8s.Status().Patch(ctx, p, client.MergeFrom(before)); err != nil {
			t.Fatalf("mark pod %s not ready: %v", p.Name, err)
		}
	}
	t.Logf("marked %d pod(s) on %s not ready", len(onNode), node)
	got := wantCondition(t, d, v1alpha1.ConditionDegraded, metav1.ConditionTrue, controller.ReasonReplicasUnavailable)
	if e := containsAll(condition(got, v1alpha1.ConditionDegraded).Message, "3 of 4 replicas available"); e != nil {
		t.Errorf("Degraded message: %v", e)
	}

	for i := range onNode {
		if err := k8s.Delete(ctx, &onNode[i]); err != nil && !apierrors.IsNotFound(err) {
			t.Fatalf("delete pod %s: %v", onNode[i].Name, err)
		}
	}
	wantCondition(t, d, v1alpha1.ConditionDegraded, metav1.ConditionFalse, controller.ReasonAllReplicasAvailable)
	wantCondition(t, d, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
}

// A new version whose migration Job fails: MigrationFailed=True with the
// Job's reason, Ready=False, and the Deployment keeps serving the old
// version. kwok fails pods with an image tagged sim-fail
// (deploy/sim/fault-stages.yaml).
func TestMigrationFailsOldVersionKeepsServing(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := "fault-migration"
	createNamespace(t, ns)
	d := domain(ns, "ledger", "1", 2)
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	wantCondition(t, d, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)

	eventually(t, "update ledger to version 2", func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil {
			return err
		}
		d.Spec.Version = "2"
		d.Spec.Image = "registry.example/ledger:2"
		d.Spec.Migrations.Image = "registry.example/ledger-migrate:sim-fail"
		d.Spec.Migrations.BackoffLimit = 0
		return k8s.Update(ctx, d)
	})
	got := wantCondition(t, d, v1alpha1.ConditionMigrationFailed, metav1.ConditionTrue, "BackoffLimitExceeded").(*v1alpha1.Domain)
	ready := condition(got, v1alpha1.ConditionReady)
	if ready.Status != metav1.ConditionFalse || ready.Reason != v1alpha1.ConditionMigrationFailed {
		t.Errorf("Ready %s/%s, want False/MigrationFailed", ready.Status, ready.Reason)
	}
	if got.Status.RunningVersion != "1" {
		t.Errorf("status.runningVersion %q, want 1", got.Status.RunningVersion)
	}
	dep := deploymentAvailable(t, ns, "ledger")
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "registry.example/ledger:1" {
		t.Errorf("the Deployment rolled to %s although the migration failed", img)
	}
}

// A child edited by hand (another field manager) is reverted.
func TestEditedChildReverted(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := "fault-drift"
	createNamespace(t, ns)
	d := domain(ns, "billing", "1", 2)
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	wantCondition(t, d, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
	kubectl(t, "", "-n", ns, "scale", "deployment/billing", "--replicas=5")
	kubectl(t, "", "-n", ns, "set", "image", "deployment/billing", "primitive=registry.example/hacked:6")
	eventually(t, "Deployment billing reverted", func() error {
		dep := &appsv1.Deployment{}
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "billing"}, dep); err != nil {
			return err
		}
		if *dep.Spec.Replicas != 2 || dep.Spec.Template.Spec.Containers[0].Image != "registry.example/billing:1" {
			return fmt.Errorf("replicas %d, image %s", *dep.Spec.Replicas, dep.Spec.Template.Spec.Containers[0].Image)
		}
		return nil
	})
	got := wantCondition(t, d, v1alpha1.ConditionDrifted, metav1.ConditionTrue, controller.ReasonChildReverted)
	if e := containsAll(condition(got, v1alpha1.ConditionDrifted).Message, "Deployment billing"); e != nil {
		t.Error(e)
	}
	deploymentAvailable(t, ns, "billing")
}

// The API server restarts under the operator: the manager process keeps
// running, reconnects its watches and reconciles what was created after.
func TestAPIServerRestart(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := "fault-apiserver"
	createNamespace(t, ns)
	before := domain(ns, "before", "1", 1)
	if err := k8s.Create(ctx, before); err != nil {
		t.Fatal(err)
	}
	wantCondition(t, before, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
	o := currentOperator()
	exitsBefore := len(o.Exits())
	if err := env.Restart("kube-apiserver"); err != nil {
		t.Fatal(err)
	}
	// While the API server is down (and, after it is back, until its RBAC
	// caches are filled) the leader cannot renew its Lease; past the renew
	// deadline controller-runtime stops the manager ("leader election
	// lost") so that two leaders never overlap, and the kubelet restarts
	// the chart's container. The supervised manager here is restarted the
	// same way; whether it had to be depends on how long the API server
	// took, so either path is accepted, a crash for another reason is not
	// (requireEnv's check).
	after := domain(ns, "after", "1", 1)
	eventually(t, "create a Domain after the restart", func() error {
		err := k8s.Create(ctx, after.DeepCopy())
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	wantCondition(t, after, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
	// A spec change of the Domain from before the restart is seen too.
	eventually(t, "scale Domain before", func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(before), before); err != nil {
			return err
		}
		before.Spec.Replicas = ptrInt32(2)
		return k8s.Update(ctx, before)
	})
	wantCondition(t, before, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
	if dep := deploymentAvailable(t, ns, "before"); *dep.Spec.Replicas != 2 {
		t.Errorf("Deployment before: %d replicas, want 2", *dep.Spec.Replicas)
	}
	restarts := o.Exits()[exitsBefore:]
	for _, x := range restarts {
		if !x.LeaderElectionLost() {
			t.Fatalf("the operator stopped for another reason than a lost Lease: %s; log:\n%s", x, x.Tail)
		}
	}
	t.Logf("converged after the API server restart (manager restarted %d time(s) after losing its Lease)", len(restarts))
}

func ptrInt32(v int32) *int32 { return &v }

// Deleting a CR: kube-controller-manager's garbage collector removes every
// child through the owner references (the operator sets no finalizer).
func TestDeletedCRChildrenGarbageCollected(t *testing.T) {
	requireEnv(t)
	ctx := ctxT(t)
	ns := "fault-delete"
	createNamespace(t, ns)
	d := domain(ns, "invoices", "1", 2)
	if err := k8s.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	wantCondition(t, d, v1alpha1.ConditionReady, metav1.ConditionTrue, controller.ReasonReconciled)
	kinds := "deployments,replicasets,pods,services,jobs,networkpolicies,horizontalpodautoscalers,servicemonitors"
	out := kubectl(t, "", "-n", ns, "get", kinds, "-l", render.LabelName+"=invoices", "-o", "name")
	for _, k := range []string{"deployment.apps/invoices", "service/invoices", "job.batch/", "networkpolicy.networking.k8s.io/", "servicemonitor.monitoring.coreos.com/"} {
		if !strings.Contains(out, k) {
			t.Errorf("before the delete there is no %s among the children:\n%s", k, out)
		}
	}
	if err := k8s.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every child of invoices garbage-collected", func() error {
		out, err := env.Kubectl("", "-n", ns, "get", kinds, "-l", render.LabelName+"=invoices", "-o", "name")
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != "" {
			return fmt.Errorf("still there:\n%s", out)
		}
		return nil
	})
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "invoices"}, &v1alpha1.Domain{}); !apierrors.IsNotFound(err) {
		t.Errorf("Domain invoices after delete: %v, want NotFound", err)
	}
}
