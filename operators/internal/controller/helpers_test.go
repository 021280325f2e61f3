package controller_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/render"
)

// waitTimeout is generous: the machine running the suite is shared and loaded.
const waitTimeout = 90 * time.Second

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func suffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: prefix + "-" + suffix()}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns.Name
}

// eventually polls f until it returns nil; on timeout the test fails with
// f's last error, which says what was still wrong.
func eventually(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var err error
	for {
		if err = f(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, waitTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(ctx context.Context, obj client.Object, ns, name string) error {
	return k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, obj)
}

// condition returns the condition of type typ, as "Status/Reason: message".
func condition(conds []metav1.Condition, typ string) *metav1.Condition {
	return meta.FindStatusCondition(conds, typ)
}

// wantCondition checks one condition and that it was computed for generation.
func wantCondition(conds []metav1.Condition, generation int64, typ string, status metav1.ConditionStatus, reason string) error {
	c := condition(conds, typ)
	if c == nil {
		return fmt.Errorf("no %s condition yet (conditions: %s)", typ, describe(conds))
	}
	if c.Status != status || (reason != "" && c.Reason != reason) || c.ObservedGeneration != generation {
		return fmt.Errorf("%s is %s/%s (generation %d): %q; want %s/%s at generation %d",
			typ, c.Status, c.Reason, c.ObservedGeneration, c.Message, status, reason, generation)
	}
	return nil
}

func describe(conds []metav1.Condition) string {
	var parts []string
	for _, c := range conds {
		parts = append(parts, fmt.Sprintf("%s=%s/%s", c.Type, c.Status, c.Reason))
	}
	return strings.Join(parts, ", ")
}

// wantOwned checks that obj has exactly one controller owner reference, to
// owner, with blockOwnerDeletion (what the garbage collector acts on).
func wantOwned(obj client.Object, owner client.Object, kind string) error {
	ref := metav1.GetControllerOf(obj)
	if ref == nil {
		return fmt.Errorf("%s %s has no controller owner reference", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName())
	}
	if ref.UID != owner.GetUID() || ref.Kind != kind || ref.APIVersion != v1alpha1.GroupVersion.String() ||
		ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
		return fmt.Errorf("%s: controller reference %+v, want %s %s (uid %s) with blockOwnerDeletion", obj.GetName(), *ref, kind, owner.GetName(), owner.GetUID())
	}
	return nil
}

// markAvailable writes the status the Deployment controller would write
// once every replica of the current template is available (envtest runs
// no Deployment controller and no pods).
func markAvailable(t *testing.T, ns, name string) {
	t.Helper()
	ctx := ctxT(t)
	eventually(t, "mark Deployment "+name+" available", func() error {
		d := &appsv1.Deployment{}
		if err := get(ctx, d, ns, name); err != nil {
			return err
		}
		n := ptr.Deref(d.Spec.Replicas, 1)
		d.Status = appsv1.DeploymentStatus{
			ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n,
			Conditions: []appsv1.DeploymentCondition{{
				Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable",
				Message: "Deployment has minimum availability.", LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now(),
			}},
		}
		return k8s.Status().Update(ctx, d)
	})
}

// finishJob writes the status the Job controller writes when the Job's pod
// succeeded (complete) or its backoff limit was exceeded (failed), with the
// interim conditions the API server's Job status validation requires.
func finishJob(t *testing.T, ns, name string, succeed bool) {
	t.Helper()
	ctx := ctxT(t)
	eventually(t, "finish Job "+name, func() error {
		j := &batchv1.Job{}
		if err := get(ctx, j, ns, name); err != nil {
			return err
		}
		now := metav1.Now()
		start := metav1.NewTime(now.Add(-time.Second))
		j.Status.StartTime = &start
		if succeed {
			j.Status.Succeeded = 1
			j.Status.CompletionTime = &now
			j.Status.Conditions = []batchv1.JobCondition{
				{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: "CompletionsReached", Message: "Reached expected number of succeeded pods", LastProbeTime: now, LastTransitionTime: now},
				{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: "CompletionsReached", Message: "Reached expected number of succeeded pods", LastProbeTime: now, LastTransitionTime: now},
			}
		} else {
			j.Status.Failed = ptr.Deref(j.Spec.BackoffLimit, 6) + 1
			j.Status.Conditions = []batchv1.JobCondition{
				{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastProbeTime: now, LastTransitionTime: now},
				{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit", LastProbeTime: now, LastTransitionTime: now},
			}
		}
		return k8s.Status().Update(ctx, j)
	})
}

// childrenOf lists objects of list's kind the operator made for primitive name in ns.
func childrenOf(ctx context.Context, list client.ObjectList, ns, name string) error {
	opts := []client.ListOption{client.MatchingLabels{render.LabelName: name, render.LabelManagedBy: render.ManagedBy}}
	if ns != "" {
		opts = append(opts, client.InNamespace(ns))
	}
	return k8s.List(ctx, list, opts...)
}

// wantRefused checks that creating obj fails with an Invalid error whose
// message contains every part (the field path and the rule's message).
func wantRefused(t *testing.T, obj client.Object, parts ...string) {
	t.Helper()
	err := k8s.Create(context.Background(), obj)
	if err == nil {
		_ = k8s.Delete(context.Background(), obj)
		t.Fatalf("create %s was accepted; want it refused naming %q", obj.GetName(), parts)
	}
	if !apierrors.IsInvalid(err) {
		t.Fatalf("create %s: %v; want an Invalid error", obj.GetName(), err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("refusal %q does not name %q", err.Error(), p)
		}
	}
}

// driftMessage is the Drifted condition, for checks on its reason.
func driftOf(conds []metav1.Condition) string {
	c := condition(conds, v1alpha1.ConditionDrifted)
	if c == nil {
		return "none"
	}
	return c.Reason + ": " + c.Message
}

var _ = controller.ReasonChildReverted

func mustItems(t *testing.T, list client.ObjectList) []runtime.Object {
	t.Helper()
	items, err := meta.ExtractList(list)
	if err != nil {
		t.Fatal(err)
	}
	return items
}
