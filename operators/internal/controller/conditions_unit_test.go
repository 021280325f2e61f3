package controller

// Unit tier: the pure parts of the reconcile (condition computation, the
// owned-field comparison, child checks). No API server; runs under -short.

import (
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

func deployment(gen, observed int64, replicas, updated, available int32, avail corev1.ConditionStatus) *appsv1.Deployment {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "sales", Generation: gen},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas)},
		Status:     appsv1.DeploymentStatus{ObservedGeneration: observed, UpdatedReplicas: updated, AvailableReplicas: available},
	}
	if avail != "" {
		d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: avail, Message: "pods not ready"}}
	}
	return d
}

func TestDeploymentReadiness(t *testing.T) {
	cases := []struct {
		name                    string
		d                       *appsv1.Deployment
		ready, readyReason      string
		degraded, degradedReaon string
	}{
		{"missing", nil, "False", ReasonDeploymentMissing, "False", ReasonDeploymentMissing},
		{"generation not observed", deployment(3, 2, 2, 2, 2, corev1.ConditionTrue), "False", ReasonRolloutInProgress, "False", ReasonAllReplicasAvailable},
		{"no Available condition", deployment(1, 1, 2, 0, 0, ""), "False", ReasonDeploymentUnavailable, "False", ReasonAllReplicasAvailable},
		{"Available=False", deployment(1, 1, 2, 2, 0, corev1.ConditionFalse), "False", ReasonDeploymentUnavailable, "False", ReasonAllReplicasAvailable},
		{"old replicas still running", deployment(2, 2, 3, 1, 3, corev1.ConditionTrue), "False", ReasonRolloutInProgress, "False", ReasonAllReplicasAvailable},
		{"available, one replica short", deployment(1, 1, 3, 3, 2, corev1.ConditionTrue), "True", ReasonReconciled, "True", ReasonReplicasUnavailable},
		{"all available", deployment(4, 4, 2, 2, 2, corev1.ConditionTrue), "True", ReasonReconciled, "False", ReasonAllReplicasAvailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ready, degraded := deploymentReadiness(c.d)
			if string(ready.Status) != c.ready || ready.Reason != c.readyReason {
				t.Errorf("Ready %s/%s (%s), want %s/%s", ready.Status, ready.Reason, ready.Message, c.ready, c.readyReason)
			}
			if string(degraded.Status) != c.degraded || degraded.Reason != c.degradedReaon {
				t.Errorf("Degraded %s/%s (%s), want %s/%s", degraded.Status, degraded.Reason, degraded.Message, c.degraded, c.degradedReaon)
			}
			if c.d != nil && !strings.Contains(ready.Message, "sales") {
				t.Errorf("Ready message %q does not name the Deployment", ready.Message)
			}
		})
	}
}

func TestMigrationOutcome(t *testing.T) {
	job := func(conds ...batchv1.JobCondition) *batchv1.Job {
		return &batchv1.Job{Status: batchv1.JobStatus{Conditions: conds}}
	}
	cond := func(typ batchv1.JobConditionType, s corev1.ConditionStatus, reason string) batchv1.JobCondition {
		return batchv1.JobCondition{Type: typ, Status: s, Reason: reason, Message: reason + " message"}
	}
	cases := []struct {
		name   string
		j      *batchv1.Job
		want   jobOutcome
		reason string
	}{
		{"no conditions", job(), jobRunning, ""},
		{"failure target only", job(cond(batchv1.JobFailureTarget, corev1.ConditionTrue, "BackoffLimitExceeded")), jobRunning, ""},
		{"complete", job(cond(batchv1.JobSuccessCriteriaMet, corev1.ConditionTrue, "CompletionsReached"), cond(batchv1.JobComplete, corev1.ConditionTrue, "CompletionsReached")), jobComplete, "CompletionsReached"},
		{"failed", job(cond(batchv1.JobFailureTarget, corev1.ConditionTrue, "DeadlineExceeded"), cond(batchv1.JobFailed, corev1.ConditionTrue, "DeadlineExceeded")), jobFailed, "DeadlineExceeded"},
		{"Complete=False", job(cond(batchv1.JobComplete, corev1.ConditionFalse, "x")), jobRunning, ""},
	}
	for _, c := range cases {
		got, reason, msg := migrationOutcome(c.j)
		if got != c.want || reason != c.reason || (c.reason != "" && msg != c.reason+" message") {
			t.Errorf("%s: %v %q %q, want %v %q", c.name, got, reason, msg, c.want, c.reason)
		}
	}
}

func TestProjectionLag(t *testing.T) {
	p := &v1alpha1.Projection{Spec: v1alpha1.ProjectionSpec{MaxLagSeconds: 60}}
	if v := projectionLag(p); v.Status != metav1.ConditionFalse || v.Reason != ReasonLagNotReported {
		t.Errorf("no lag reported: %+v", v)
	}
	for _, c := range []struct {
		seconds int64
		status  metav1.ConditionStatus
		reason  string
	}{{60, metav1.ConditionFalse, ReasonLagWithinLimit}, {61, metav1.ConditionTrue, ReasonLagOverLimit}, {0, metav1.ConditionFalse, ReasonLagWithinLimit}} {
		p.Status.Lag = &v1alpha1.ProjectionLag{SecondsBehind: c.seconds, EventsBehind: 7}
		v := projectionLag(p)
		if v.Status != c.status || v.Reason != c.reason || !strings.Contains(v.Message, "60") {
			t.Errorf("lag %d s: %+v, want %s/%s naming the limit", c.seconds, v, c.status, c.reason)
		}
	}
}

func TestReadyAtGeneration(t *testing.T) {
	conds := []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, ObservedGeneration: 4}}
	if !readyAtGeneration(conds, 4) || readyAtGeneration(conds, 5) {
		t.Error("Ready=True counts only for the generation it was computed at")
	}
	conds[0].Status = metav1.ConditionFalse
	if readyAtGeneration(conds, 4) || readyAtGeneration(nil, 1) {
		t.Error("Ready=False or missing is not ready")
	}
}

func TestSubsetEqual(t *testing.T) {
	live := map[string]any{
		"metadata": map[string]any{"name": "x", "labels": map[string]any{"a": "1", "extra": "by-someone"}, "resourceVersion": "9"},
		"spec": map[string]any{
			"replicas": int64(2),
			"template": map[string]any{"spec": map[string]any{"containers": []any{
				map[string]any{"name": "main", "image": "img:1", "terminationMessagePath": "/dev/termination-log"},
			}}},
		},
	}
	cases := []struct {
		name string
		want map[string]any
		eq   bool
	}{
		{"fields others set are ignored", map[string]any{"metadata": map[string]any{"labels": map[string]any{"a": "1"}}, "spec": map[string]any{"replicas": int64(2)}}, true},
		{"defaulted fields inside list elements are ignored", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "main", "image": "img:1"}}}}}}, true},
		{"changed scalar", map[string]any{"spec": map[string]any{"replicas": int64(3)}}, false},
		{"changed value in a list element", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"image": "img:2"}}}}}}, false},
		{"list of another length", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{}, map[string]any{}}}}}}, false},
		{"removed label", map[string]any{"metadata": map[string]any{"labels": map[string]any{"b": "2"}}}, false},
		{"empty map or list matches absent", map[string]any{"metadata": map[string]any{"annotations": map[string]any{}}, "spec": map[string]any{"volumes": []any{}}}, true},
		{"null is not compared", map[string]any{"status": nil}, true},
		{"int vs float is a difference", map[string]any{"spec": map[string]any{"replicas": float64(2)}}, false},
	}
	for _, c := range cases {
		if got := subsetEqual(c.want, live); got != c.eq {
			t.Errorf("%s: subsetEqual = %v, want %v", c.name, got, c.eq)
		}
	}
}

func TestCheckChildren(t *testing.T) {
	r := &Reconciler{Kind: Kinds["process"]}
	child := func(apiVersion, kind string, managed bool) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
		u.SetName("c")
		if managed {
			u.SetLabels(map[string]string{render.LabelManagedBy: render.ManagedBy})
		}
		return u
	}
	if err := r.checkChildren([]*unstructured.Unstructured{child("apps/v1", "Deployment", true), child("v1", "ConfigMap", true)}); err != nil {
		t.Errorf("owned kinds refused: %v", err)
	}
	if err := r.checkChildren([]*unstructured.Unstructured{child("v1", "Secret", true)}); err == nil || !strings.Contains(err.Error(), "does not own") {
		t.Errorf("a Secret child: %v; want refused as not owned", err)
	}
	if err := r.checkChildren([]*unstructured.Unstructured{child("monitoring.coreos.com/v1", "ServiceMonitor", true)}); err == nil {
		t.Error("a ServiceMonitor accepted although the cluster serves no prometheus-operator API")
	}
	r.Render.Capabilities.PrometheusOperator = true
	if err := r.checkChildren([]*unstructured.Unstructured{child("monitoring.coreos.com/v1", "ServiceMonitor", true)}); err != nil {
		t.Errorf("ServiceMonitor with the API served: %v", err)
	}
	if err := r.checkChildren([]*unstructured.Unstructured{child("apps/v1", "Deployment", false)}); err == nil || !strings.Contains(err.Error(), render.LabelManagedBy) {
		t.Errorf("child without managed-by: %v; want refused naming the label", err)
	}
}

func TestParseKindList(t *testing.T) {
	got, err := ParseKindList(" Domain, process ,,")
	if err != nil || !got["domain"] || !got["process"] || len(got) != 2 {
		t.Errorf("ParseKindList = %v, %v", got, err)
	}
	if _, err := ParseKindList("domain,widgets"); err == nil || !strings.Contains(err.Error(), `"widgets"`) {
		t.Errorf("unknown reconciler: %v; want it named", err)
	}
}

func TestRefusal(t *testing.T) {
	v := refusal(&ReferenceError{Reason: ReasonTemporalNSNotFound, Message: `Temporal namespace "x" not found`})
	if v.Reason != ReasonTemporalNSNotFound || v.Status != metav1.ConditionFalse {
		t.Errorf("reference error: %+v", v)
	}
	v = refusal(errors.New("dial tcp: connection refused"))
	if v.Reason != ReasonReferenceCheckFailed || !strings.Contains(v.Message, "connection refused") {
		t.Errorf("other error: %+v", v)
	}
	if _, ok := AsReferenceError(errReferences{cause: &ReferenceError{Reason: "R"}}); !ok {
		t.Error("errReferences does not unwrap to its ReferenceError")
	}
}
