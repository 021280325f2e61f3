// Package ameide is the Go SDK of the Ameide platform: typed Connect clients
// for every service of the Buf module (generated into ameide.io/sdk/gen), with
// the behaviour of the TypeScript SDK: a bearer token from a TokenSource on
// every call, W3C traceparent propagation (or a fresh trace), retries of
// reads when the platform is unavailable, and every failure as an *Error with
// the closed set of codes and the typed details.
//
//	client, err := ameide.NewClient("http://127.0.0.1:8080", ameide.StaticToken(token))
//	res, err := client.Platform.WhoAmI(ctx, connect.NewRequest(&platformv1.WhoAmIRequest{}))
//	if ae, ok := ameide.AsError(err); ok && ae.Code == ameide.CodeUnauthenticated { ... }
package ameide

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"connectrpc.com/connect"

	"ameide.io/sdk/gen/ameide/agents/v1/agentsv1connect"
	"ameide.io/sdk/gen/ameide/events/v1/eventsv1connect"
	"ameide.io/sdk/gen/ameide/extensions/v1/extensionsv1connect"
	"ameide.io/sdk/gen/ameide/factory/v1/factoryv1connect"
	"ameide.io/sdk/gen/ameide/graph/v1/graphv1connect"
	"ameide.io/sdk/gen/ameide/platform/v1/platformv1connect"
	"ameide.io/sdk/gen/ameide/process/v1/processv1connect"
	"ameide.io/sdk/gen/ameide/projections/v1/projectionsv1connect"
	"ameide.io/sdk/gen/ameide/sales/v1/salesv1connect"
	"ameide.io/sdk/gen/ameide/tenancy/v1/tenancyv1connect"
	"ameide.io/sdk/gen/ameide/transformation/v1/transformationv1connect"
)

// Protocol is the wire protocol the client speaks; the platform serves all of
// them on one port.
type Protocol string

const (
	// ProtocolConnect is the Connect protocol (HTTP/1.1, or HTTP/2 over TLS). The default.
	ProtocolConnect Protocol = "connect"
	// ProtocolGRPC is gRPC: HTTP/2, over TLS for https:// or cleartext (h2c) for http://.
	ProtocolGRPC Protocol = "grpc"
	// ProtocolGRPCWeb is gRPC-Web.
	ProtocolGRPCWeb Protocol = "grpc-web"
)

// Client has a typed client for every Ameide service (the properties of the
// TypeScript SDK's AmeideClient).
type Client struct {
	Platform       platformv1connect.PlatformServiceClient
	Transformation transformationv1connect.TransformationServiceClient
	Orders         salesv1connect.OrderServiceClient
	Customers      salesv1connect.CustomerServiceClient
	Process        processv1connect.ProcessServiceClient
	Events         eventsv1connect.EventServiceClient
	Extensions     extensionsv1connect.ExtensionServiceClient
	Projections    projectionsv1connect.ProjectionServiceClient
	OrderToCash    projectionsv1connect.OrderToCashServiceClient
	Graph          graphv1connect.GraphServiceClient
	Agents         agentsv1connect.AgentServiceClient
	Tenants        tenancyv1connect.TenantServiceClient
	Factory        factoryv1connect.FactoryServiceClient
}

type options struct {
	protocol   Protocol
	httpClient connect.HTTPClient
	retry      RetryOptions
	extra      []connect.ClientOption
}

// Option configures NewClient.
type Option func(*options)

// WithProtocol selects the wire protocol (default ProtocolConnect).
func WithProtocol(p Protocol) Option { return func(o *options) { o.protocol = p } }

// WithHTTPClient sends calls through c instead of the SDK's own client (for
// gRPC it must speak HTTP/2).
func WithHTTPClient(c connect.HTTPClient) Option { return func(o *options) { o.httpClient = c } }

// WithRetry changes the retry policy of reads (see RetryOptions).
func WithRetry(r RetryOptions) Option { return func(o *options) { o.retry = r } }

// WithClientOptions adds connect-go client options (compression, codecs,
// read limits, ...). Interceptors given here run inside the SDK's.
func WithClientOptions(opts ...connect.ClientOption) Option {
	return func(o *options) { o.extra = append(o.extra, opts...) }
}

// NewClient creates the Ameide client for baseURL (e.g.
// http://127.0.0.1:8080). tokens gives the bearer token of each call;
// StaticToken("") or nil sends none (only health-style calls succeed then).
func NewClient(baseURL string, tokens TokenSource, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ameide: base URL %q: want http(s)://host[:port]", baseURL)
	}
	o := options{protocol: ProtocolConnect}
	for _, opt := range opts {
		opt(&o)
	}
	interceptors := []connect.Interceptor{errorInterceptor{}, retryInterceptor{opts: o.retry.withDefaults()}}
	if tokens != nil {
		interceptors = append(interceptors, authInterceptor{source: tokens})
	}
	interceptors = append(interceptors, traceparentInterceptor{})
	clientOpts := []connect.ClientOption{connect.WithInterceptors(interceptors...)}
	switch o.protocol {
	case ProtocolConnect:
	case ProtocolGRPC:
		clientOpts = append(clientOpts, connect.WithGRPC())
	case ProtocolGRPCWeb:
		clientOpts = append(clientOpts, connect.WithGRPCWeb())
	default:
		return nil, fmt.Errorf("ameide: unknown protocol %q (want connect, grpc or grpc-web)", o.protocol)
	}
	clientOpts = append(clientOpts, o.extra...)
	httpClient := o.httpClient
	if httpClient == nil {
		httpClient = defaultHTTPClient(o.protocol)
	}
	base := strings.TrimRight(baseURL, "/")
	return &Client{
		Platform:       platformv1connect.NewPlatformServiceClient(httpClient, base, clientOpts...),
		Transformation: transformationv1connect.NewTransformationServiceClient(httpClient, base, clientOpts...),
		Orders:         salesv1connect.NewOrderServiceClient(httpClient, base, clientOpts...),
		Customers:      salesv1connect.NewCustomerServiceClient(httpClient, base, clientOpts...),
		Process:        processv1connect.NewProcessServiceClient(httpClient, base, clientOpts...),
		Events:         eventsv1connect.NewEventServiceClient(httpClient, base, clientOpts...),
		Extensions:     extensionsv1connect.NewExtensionServiceClient(httpClient, base, clientOpts...),
		Projections:    projectionsv1connect.NewProjectionServiceClient(httpClient, base, clientOpts...),
		OrderToCash:    projectionsv1connect.NewOrderToCashServiceClient(httpClient, base, clientOpts...),
		Graph:          graphv1connect.NewGraphServiceClient(httpClient, base, clientOpts...),
		Agents:         agentsv1connect.NewAgentServiceClient(httpClient, base, clientOpts...),
		Tenants:        tenancyv1connect.NewTenantServiceClient(httpClient, base, clientOpts...),
		Factory:        factoryv1connect.NewFactoryServiceClient(httpClient, base, clientOpts...),
	}, nil
}

// defaultHTTPClient: gRPC needs HTTP/2, which Go speaks on cleartext
// http:// URLs only when told to (h2c); Connect and gRPC-Web use Go's
// defaults (HTTP/1.1, or HTTP/2 negotiated over TLS).
func defaultHTTPClient(p Protocol) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if p == ProtocolGRPC {
		var protocols http.Protocols
		protocols.SetHTTP2(true)
		protocols.SetUnencryptedHTTP2(true)
		transport.Protocols = &protocols
		transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport}
}
