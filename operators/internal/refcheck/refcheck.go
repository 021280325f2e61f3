// Package refcheck is the operator's real controller.ReferenceChecker: it
// asks the Transformation Domain (through the Go SDK, with a token scoped to
// the Process's tenant) whether the pinned ProcessDefinition version is
// published, and Temporal (DescribeNamespace) whether the namespace exists.
package refcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/controller"
	"ameide.io/sdk/ameide"
	transformationv1 "ameide.io/sdk/gen/ameide/transformation/v1"
)

// TenantTokens gives the bearer token the operator presents for one tenant:
// a service identity scoped to that tenant, never a token that spans tenants.
type TenantTokens interface {
	TokenFor(tenant string) ameide.TokenSource
}

// TokenDir reads the token of tenant t from the file <dir>/<t> on every call,
// so a rotated token (a mounted Secret, a projected token) is picked up
// without a restart.
type TokenDir string

var tenantPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// TokenFor returns the token source of tenant.
func (d TokenDir) TokenFor(tenant string) ameide.TokenSource {
	return ameide.TokenFunc(func(context.Context) (string, error) {
		if !tenantPattern.MatchString(tenant) {
			return "", fmt.Errorf("tenant %q is not a valid tenant id", tenant)
		}
		path := filepath.Join(string(d), tenant)
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("service token of tenant %s: %w", tenant, err)
		}
		return strings.TrimSpace(string(b)), nil
	})
}

// Checker implements controller.ReferenceChecker.
type Checker struct {
	// TransformationURL is the base URL of the Transformation Domain.
	TransformationURL string
	Tokens            TenantTokens
	// TemporalAddress is the frontend used when a Process names none.
	TemporalAddress string
	// Timeout of each check (default 10 s).
	Timeout time.Duration

	mu       sync.Mutex
	clients  map[string]*ameide.Client
	temporal map[string]*grpc.ClientConn
}

var _ controller.ReferenceChecker = (*Checker)(nil)

// CheckProcess validates p's ProcessDefinition and Temporal namespace.
func (c *Checker) CheckProcess(ctx context.Context, p *v1alpha1.Process, tenant string) (controller.ProcessReferences, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hash, err := c.checkDefinition(ctx, p.Spec.Definition, tenant)
	if err != nil {
		return controller.ProcessReferences{}, err
	}
	if err := c.checkNamespace(ctx, p.Spec.Temporal); err != nil {
		return controller.ProcessReferences{}, err
	}
	return controller.ProcessReferences{PlanHash: hash}, nil
}

func (c *Checker) checkDefinition(ctx context.Context, ref v1alpha1.DefinitionRef, tenant string) (string, error) {
	if c.TransformationURL == "" {
		return "", errors.New("no Transformation Domain URL configured (--transformation-url)")
	}
	cl, err := c.client(tenant)
	if err != nil {
		return "", err
	}
	res, err := cl.Transformation.GetArtifact(ctx, connect.NewRequest(&transformationv1.GetArtifactRequest{
		Kind: transformationv1.ArtifactKind_ARTIFACT_KIND_PROCESS_DEFINITION,
		Name: ref.Name,
	}))
	if err != nil {
		if ameide.CodeOf(err) == ameide.CodeNotFound {
			return "", &controller.ReferenceError{Reason: controller.ReasonProcessDefNotFound,
				Message: fmt.Sprintf("ProcessDefinition %q not found in tenant %s (Transformation Domain %s)", ref.Name, tenant, c.TransformationURL)}
		}
		return "", fmt.Errorf("read ProcessDefinition %q of tenant %s from %s: %w", ref.Name, tenant, c.TransformationURL, err)
	}
	a := res.Msg.GetArtifact()
	for _, pv := range a.GetPublishedVersions() {
		if pv.GetVersion() == ref.Version {
			return pv.GetPlanHash(), nil
		}
	}
	have := "it was never published"
	if n := a.GetLatestPublishedVersion(); n > 0 {
		have = fmt.Sprintf("published versions are 1..%d", n)
	}
	return "", &controller.ReferenceError{Reason: controller.ReasonProcessDefNotPublished,
		Message: fmt.Sprintf("ProcessDefinition %q of tenant %s has no published version %d: %s", ref.Name, tenant, ref.Version, have)}
}

func (c *Checker) checkNamespace(ctx context.Context, t v1alpha1.Temporal) error {
	addr := t.Address
	if addr == "" {
		addr = c.TemporalAddress
	}
	if addr == "" {
		return errors.New("the Process names no spec.temporal.address and the operator has no --temporal-address")
	}
	conn, err := c.temporalConn(addr)
	if err != nil {
		return err
	}
	_, err = workflowservice.NewWorkflowServiceClient(conn).DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: t.Namespace})
	var nf *serviceerror.NamespaceNotFound
	if errors.As(serviceerror.FromStatus(status.Convert(err)), &nf) {
		return &controller.ReferenceError{Reason: controller.ReasonTemporalNSNotFound,
			Message: fmt.Sprintf("Temporal namespace %q not found at %s", t.Namespace, addr)}
	}
	if err != nil {
		return fmt.Errorf("describe Temporal namespace %q at %s: %w", t.Namespace, addr, err)
	}
	return nil
}

func (c *Checker) client(tenant string) (*ameide.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[tenant]; ok {
		return cl, nil
	}
	cl, err := ameide.NewClient(c.TransformationURL, c.Tokens.TokenFor(tenant))
	if err != nil {
		return nil, err
	}
	if c.clients == nil {
		c.clients = map[string]*ameide.Client{}
	}
	c.clients[tenant] = cl
	return cl, nil
}

func (c *Checker) temporalConn(addr string) (*grpc.ClientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if conn, ok := c.temporal[addr]; ok {
		return conn, nil
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connect to the Temporal frontend %s: %w", addr, err)
	}
	if c.temporal == nil {
		c.temporal = map[string]*grpc.ClientConn{}
	}
	c.temporal[addr] = conn
	return conn, nil
}

// Close closes the Temporal connections.
func (c *Checker) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, conn := range c.temporal {
		errs = append(errs, conn.Close())
	}
	c.temporal = nil
	return errors.Join(errs...)
}
