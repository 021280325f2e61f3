// Package projectionlag is the operator's real controller.LagReader: it asks
// the platform's ProjectionService (GetProjectionStatus, through the Go SDK,
// with a token scoped to the Projection's tenant) how far the projection the
// CR names is behind the event log.
package projectionlag

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/refcheck"
	"ameide.io/sdk/ameide"
	projectionsv1 "ameide.io/sdk/gen/ameide/projections/v1"
)

// Reader implements controller.LagReader.
type Reader struct {
	// URL is the base URL of the platform service that serves
	// ameide.projections.v1.ProjectionService.
	URL    string
	Tokens refcheck.TenantTokens
	// Timeout of each read, the SDK's retries included (default 10 s).
	Timeout time.Duration
	// Now stamps reportedAt (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	clients map[string]*ameide.Client
}

var _ controller.LagReader = (*Reader)(nil)

// ReadLag returns the lag of the projection p names (spec.definition.name).
func (r *Reader) ReadLag(ctx context.Context, p *v1alpha1.Projection, tenant string) (v1alpha1.ProjectionLag, error) {
	name := controller.ProjectionName(p)
	if r.URL == "" {
		return v1alpha1.ProjectionLag{}, errors.New("no ProjectionService URL configured (--projections-url)")
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cl, err := r.client(tenant)
	if err != nil {
		return v1alpha1.ProjectionLag{}, err
	}
	res, err := cl.Projections.GetProjectionStatus(ctx, connect.NewRequest(&projectionsv1.GetProjectionStatusRequest{Name: name}))
	if err != nil {
		if ae, ok := ameide.AsError(err); ok && ae.Code == ameide.CodeNotFound {
			msg := fmt.Sprintf("the platform (ProjectionService at %s) has no projection %q (spec.definition.name)", r.URL, name)
			for _, v := range ae.FieldViolations {
				if v.Field == "name" && v.Description != "" {
					msg += ": it serves " + strings.TrimPrefix(v.Description, "one of ")
				}
			}
			return v1alpha1.ProjectionLag{}, &controller.LagError{Projection: name, Message: msg}
		}
		return v1alpha1.ProjectionLag{}, fmt.Errorf("GetProjectionStatus %q of tenant %s at %s: %w", name, tenant, r.URL, err)
	}
	return FromStatus(res.Msg.GetStatus(), r.now()), nil
}

// FromStatus converts the platform's ProjectionStatus into status.lag.
// Seconds are rounded up, so a lag just over spec.maxLagSeconds is over it.
func FromStatus(s *projectionsv1.ProjectionStatus, at time.Time) v1alpha1.ProjectionLag {
	secs := s.GetSecondsBehind()
	if math.IsNaN(secs) || secs < 0 {
		secs = 0
	}
	return v1alpha1.ProjectionLag{
		EventsBehind:  max(s.GetEventsBehind(), 0),
		SecondsBehind: int64(math.Min(math.Ceil(secs), math.MaxInt32)),
		ReportedAt:    metav1.NewTime(at.Truncate(time.Second)),
		State:         s.GetState(),
		DeadLetters:   max(s.GetDeadLetters(), 0),
	}
}

func (r *Reader) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Reader) client(tenant string) (*ameide.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cl, ok := r.clients[tenant]; ok {
		return cl, nil
	}
	if r.Tokens == nil {
		return nil, errors.New("no service tokens configured (--service-token-dir)")
	}
	cl, err := ameide.NewClient(r.URL, r.Tokens.TokenFor(tenant))
	if err != nil {
		return nil, err
	}
	if r.clients == nil {
		r.clients = map[string]*ameide.Client{}
	}
	r.clients[tenant] = cl
	return cl, nil
}
