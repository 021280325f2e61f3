package controller

import (
	"context"
	"errors"
	"fmt"

	"ameide.io/operators/api/v1alpha1"
)

// ReferenceChecker validates what a Process refers to outside the cluster
// before its worker is applied: the published ProcessDefinition in the
// Transformation Domain and the Temporal namespace.
type ReferenceChecker interface {
	// CheckProcess returns the plan hash of the pinned published version,
	// a *ReferenceError when a reference is missing, or another error when
	// the check itself could not be made (unreachable service, ...).
	CheckProcess(ctx context.Context, p *v1alpha1.Process, tenant string) (ProcessReferences, error)
}

// ProcessReferences is what a successful check found.
type ProcessReferences struct {
	// PlanHash of the pinned published version (sha256 of its ExecutionPlan).
	PlanHash string
}

// ReferenceError says which reference is missing; Reason becomes the Ready
// condition's reason (ProcessDefinitionNotFound, ...).
type ReferenceError struct {
	Reason  string
	Message string
}

func (e *ReferenceError) Error() string { return e.Reason + ": " + e.Message }

// AsReferenceError unwraps a *ReferenceError.
func AsReferenceError(err error) (*ReferenceError, bool) {
	var re *ReferenceError
	ok := errors.As(err, &re)
	return re, ok
}

// errReferences is returned from Reconcile while a reference is missing, so
// the workqueue requeues the Process with its exponential backoff.
type errReferences struct{ cause error }

func (e errReferences) Error() string {
	return fmt.Sprintf("process references not satisfied (will retry): %v", e.cause)
}
func (e errReferences) Unwrap() error { return e.cause }
