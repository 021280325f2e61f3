package controller

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ameide.io/operators/api/v1alpha1"
)

// Reasons of the conditions the reconcilers set. Each names what a reader
// has to look at; the message says which object and why.
const (
	ReasonReconciled             = "Reconciled"
	ReasonDeploymentUnavailable  = "DeploymentUnavailable"
	ReasonDeploymentMissing      = "DeploymentMissing"
	ReasonRolloutInProgress      = "RolloutInProgress"
	ReasonReplicasUnavailable    = "ReplicasUnavailable"
	ReasonAllReplicasAvailable   = "AllReplicasAvailable"
	ReasonRolloutPaused          = "RolloutPaused"
	ReasonNotPaused              = "NotPaused"
	ReasonPlacementRefused       = "PlacementRefused"
	ReasonRenderFailed           = "RenderFailed"
	ReasonApplyFailed            = "ApplyFailed"
	ReasonMigrationRunning       = "MigrationRunning"
	ReasonMigrationSucceeded     = "MigrationSucceeded"
	ReasonLagOverLimit           = "LagOverLimit"
	ReasonLagWithinLimit         = "LagWithinLimit"
	ReasonLagNotReported         = "LagNotReported"
	ReasonChildReverted          = "ChildReverted"
	ReasonChildRecreated         = "ChildRecreated"
	ReasonNoDrift                = "NoDrift"
	ReasonProcessDefNotFound     = "ProcessDefinitionNotFound"
	ReasonProcessDefNotPublished = "ProcessDefinitionNotPublished"
	ReasonTemporalNSNotFound     = "TemporalNamespaceNotFound"
	ReasonReferenceCheckFailed   = "ReferenceCheckFailed"
)

// verdict is one condition's status, reason and message before it is
// stamped with the generation it was computed for.
type verdict struct {
	Status  metav1.ConditionStatus
	Reason  string
	Message string
}

func (v verdict) condition(typ string, generation int64) metav1.Condition {
	return metav1.Condition{
		Type:               typ,
		Status:             v.Status,
		Reason:             v.Reason,
		Message:            v.Message,
		ObservedGeneration: generation,
	}
}

// deploymentReadiness derives Ready and Degraded from the workload
// Deployment as the API server reports it. Ready needs the Deployment
// controller to have seen the current Deployment spec (observedGeneration),
// every replica updated to it, and Available=True; Degraded is True while it
// serves (Available) with fewer available replicas than wanted.
func deploymentReadiness(d *appsv1.Deployment) (ready, degraded verdict) {
	if d == nil {
		return verdict{metav1.ConditionFalse, ReasonDeploymentMissing, "the workload Deployment does not exist yet"},
			verdict{metav1.ConditionFalse, ReasonDeploymentMissing, "the workload Deployment does not exist yet"}
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	var available *appsv1.DeploymentCondition
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == appsv1.DeploymentAvailable {
			available = &d.Status.Conditions[i]
		}
	}
	switch {
	case d.Status.ObservedGeneration < d.Generation:
		ready = verdict{metav1.ConditionFalse, ReasonRolloutInProgress,
			fmt.Sprintf("Deployment %s: generation %d not yet observed by the Deployment controller (observed %d)",
				d.Name, d.Generation, d.Status.ObservedGeneration)}
	case available == nil || available.Status != corev1.ConditionTrue:
		msg := fmt.Sprintf("Deployment %s is not Available", d.Name)
		if available != nil && available.Message != "" {
			msg += ": " + available.Message
		}
		ready = verdict{metav1.ConditionFalse, ReasonDeploymentUnavailable, msg}
	case d.Status.UpdatedReplicas < want:
		ready = verdict{metav1.ConditionFalse, ReasonRolloutInProgress,
			fmt.Sprintf("Deployment %s: %d of %d replicas run the current pod template", d.Name, d.Status.UpdatedReplicas, want)}
	default:
		ready = verdict{metav1.ConditionTrue, ReasonReconciled, fmt.Sprintf("Deployment %s is Available", d.Name)}
	}
	if available != nil && available.Status == corev1.ConditionTrue && d.Status.AvailableReplicas < want {
		degraded = verdict{metav1.ConditionTrue, ReasonReplicasUnavailable,
			fmt.Sprintf("Deployment %s: %d of %d replicas available", d.Name, d.Status.AvailableReplicas, want)}
	} else {
		degraded = verdict{metav1.ConditionFalse, ReasonAllReplicasAvailable,
			fmt.Sprintf("Deployment %s: %d of %d replicas available", d.Name, d.Status.AvailableReplicas, want)}
	}
	return ready, degraded
}

// jobOutcome is where a migration Job stands.
type jobOutcome int

const (
	jobRunning jobOutcome = iota
	jobComplete
	jobFailed
)

// migrationOutcome reads a Job's terminal conditions; for a failed Job it
// returns the Job's own reason and message (BackoffLimitExceeded, ...).
func migrationOutcome(j *batchv1.Job) (jobOutcome, string, string) {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return jobComplete, c.Reason, c.Message
		case batchv1.JobFailed:
			return jobFailed, c.Reason, c.Message
		}
	}
	return jobRunning, "", ""
}

// projectionLag derives Degraded from the lag the projection workload
// reports in status.lag.
func projectionLag(p *v1alpha1.Projection) verdict {
	if p.Status.Lag == nil {
		return verdict{metav1.ConditionFalse, ReasonLagNotReported, "the projection has not reported its lag yet"}
	}
	lag, limit := p.Status.Lag.SecondsBehind, int64(p.Spec.MaxLagSeconds)
	if lag > limit {
		return verdict{metav1.ConditionTrue, ReasonLagOverLimit,
			fmt.Sprintf("%d s behind the log head (%d events), over spec.maxLagSeconds %d", lag, p.Status.Lag.EventsBehind, limit)}
	}
	return verdict{metav1.ConditionFalse, ReasonLagWithinLimit,
		fmt.Sprintf("%d s behind the log head (%d events), within spec.maxLagSeconds %d", lag, p.Status.Lag.EventsBehind, limit)}
}

// readyAtGeneration reports whether the status already says Ready=True for
// the current spec: every rendered child existed then, so a child missing now
// at the same generation was deleted by someone else.
func readyAtGeneration(conds []metav1.Condition, generation int64) bool {
	c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == generation
}
