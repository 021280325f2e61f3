package controller

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ameide.io/operators/api/v1alpha1"
)

// LagReader reads how far a Projection is behind the event log from the
// platform (ProjectionService.GetProjectionStatus through the Go SDK).
type LagReader interface {
	// ReadLag returns the lag of the projection p names, a *LagError when
	// the platform has no such projection, or another error when the lag
	// could not be read (unreachable platform, refused token, ...).
	ReadLag(ctx context.Context, p *v1alpha1.Projection, tenant string) (v1alpha1.ProjectionLag, error)
}

// LagError says the platform answered but has no lag for the projection
// (it serves no projection of that name).
type LagError struct {
	// Projection is the name that was asked for.
	Projection string
	Message    string
}

func (e *LagError) Error() string { return e.Message }

// ProjectionName is the name the platform knows p by: its definition's name.
func ProjectionName(p *v1alpha1.Projection) string { return p.Spec.Definition.Name }

// errLagUnreadable is returned from Reconcile when the lag could not be read
// for a reason that may pass (the platform is unreachable), so the workqueue
// retries with its exponential backoff instead of the fixed interval.
type errLagUnreadable struct{ cause error }

func (e errLagUnreadable) Error() string {
	return fmt.Sprintf("projection lag not read (will retry with backoff): %v", e.cause)
}
func (e errLagUnreadable) Unwrap() error { return e.cause }

// readLag refreshes p.Status.Lag from the platform. It returns the verdict to
// use instead of projectionLag's when the lag could not be read, and the
// error to return from Reconcile (nil when a retry at the next interval is
// soon enough).
func (r *Reconciler) readLag(ctx context.Context, p *v1alpha1.Projection) (*verdict, error) {
	lag, err := r.Lag.ReadLag(ctx, p, tenantOf(p, r.PlatformTenant))
	if err == nil {
		p.Status.Lag = &lag
		return nil, nil
	}
	last := ""
	if p.Status.Lag != nil {
		last = fmt.Sprintf("; the last lag read (%d s, %d events at %s) is kept in status.lag",
			p.Status.Lag.SecondsBehind, p.Status.Lag.EventsBehind, p.Status.Lag.ReportedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	var le *LagError
	if errors.As(err, &le) {
		// The platform answered: asking again sooner will not help, and the
		// next interval picks up a projection the platform starts serving.
		return &verdict{metav1.ConditionFalse, ReasonLagNotReported, le.Message + last}, nil
	}
	return &verdict{metav1.ConditionFalse, ReasonLagNotReported,
		fmt.Sprintf("the lag of projection %q could not be read: %v%s", ProjectionName(p), err, last)}, errLagUnreadable{err}
}
