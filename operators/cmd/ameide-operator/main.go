package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"ameide.io/operators/internal/controller"
	"ameide.io/operators/internal/manager"
	"ameide.io/operators/internal/rendercmd"
)

const usage = `ameide-operator runs the Ameide primitive reconcilers, or renders a CR's children.

Usage:
  ameide-operator [run] [flags]            run the manager (the default)
  ameide-operator render -f primitive.yaml print the children the operator would apply,
                                           with no cluster (see: ameide-operator render --help)

Reconcilers: %s. All run unless disabled.
The Process reconciler validates each Process's references before applying its
worker: the ProcessDefinition in the Transformation Domain (--transformation-url,
with the tenant's token from --service-token-dir) and the Temporal namespace
(--temporal-address, or the Process's spec.temporal.address).
With --projections-url the Projection reconciler reads each Projection's lag
from the platform's ProjectionService (the projection named spec.definition.name,
every --projection-lag-interval) into status.lag, and derives Degraded from it.

Flags of run:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "render" {
		return rendercmd.Run(args[1:], stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "run" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("ameide-operator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o        manager.Options
		disable  string
		kubecfg  string
		zapOpts  = zap.Options{}
		disabled map[string]bool
		qps      float64
		burst    int
	)
	fs.StringVar(&disable, "disable", "", "comma-separated reconcilers not to run, e.g. --disable=process,agent")
	fs.BoolVar(&o.LeaderElect, "leader-elect", false,
		"elect one active manager through a coordination.k8s.io Lease (run several replicas with it)")
	fs.StringVar(&o.LeaderElectionID, "leader-election-id", manager.DefaultLeaderElectionID, "name of the leader-election Lease")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", "",
		"namespace of the Lease (default: the manager's own namespace in a pod; required outside a cluster)")
	fs.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", 15*time.Second,
		"how long followers wait after the last renewal before taking the Lease over")
	fs.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second,
		"how long the leader keeps retrying to renew before it stops reconciling and exits (raise it on an overloaded API server)")
	fs.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", 2*time.Second, "pause between attempts to acquire or renew the Lease")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", ":8080", `address of the Prometheus /metrics endpoint ("0" disables)`)
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", ":8081", `address of /healthz and /readyz ("0" disables)`)
	fs.StringVar(&o.TemporalAddress, "temporal-address", "", "Temporal frontend (host:port) for Processes that name none")
	fs.StringVar(&o.TransformationURL, "transformation-url", "", "base URL of the Transformation Domain, e.g. http://transformation.ameide-system:8080")
	fs.StringVar(&o.ProjectionsURL, "projections-url", "",
		"base URL of the platform service serving ameide.projections.v1.ProjectionService, where Projections' lag is read (empty: no lag is read)")
	fs.DurationVar(&o.LagInterval, "projection-lag-interval", 30*time.Second, "how often each Projection's lag is read from --projections-url")
	fs.StringVar(&o.ServiceTokenDir, "service-token-dir", "",
		"directory with one service token per tenant (file named after the tenant id), read on every call")
	fs.StringVar(&o.PlatformTenant, "platform-tenant", "platform", "tenant that platform primitives naming no spec.tenant act for")
	fs.StringVar(&o.OTelEndpoint, "otel-endpoint", "", "OTLP endpoint injected into every primitive as OTEL_EXPORTER_OTLP_ENDPOINT")
	fs.StringVar(&o.TokenIssuer, "token-issuer", "", "issuer of the bearer tokens RPC primitives verify (AMEIDE_TOKEN_ISSUER)")
	fs.StringVar(&o.JWKSURL, "jwks-url", "", "JWKS URL RPC primitives verify tokens with (AMEIDE_JWKS_URL)")
	fs.StringVar(&o.IngressNamespace, "ingress-namespace", "", "namespace of the platform's ingress (Gateway) pods, admitted by every Domain's NetworkPolicy (default: render's default)")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", 2, "reconciles in flight per reconciler")
	fs.Float64Var(&qps, "kube-api-qps", 50,
		"client-side limit on API requests per second (client-go's default of 20 caps a busy manager; the API server's priority and fairness protects it)")
	fs.IntVar(&burst, "kube-api-burst", 100, "requests allowed above --kube-api-qps in a burst")
	fs.StringVar(&kubecfg, "kubeconfig", "", "kubeconfig file (default: in-cluster config, then $KUBECONFIG, then ~/.kube/config)")
	zapOpts.BindFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usage, strings.Join(controller.KindNames(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ameide-operator: unexpected argument %q (subcommands: run, render)\n", fs.Arg(0))
		return 2
	}
	var err error
	if disabled, err = controller.ParseKindList(disable); err != nil {
		fmt.Fprintf(stderr, "ameide-operator: --disable: %v\n", err)
		return 2
	}
	o.Disabled = disabled
	if qps <= 0 || burst < 1 {
		fmt.Fprintln(stderr, "ameide-operator: --kube-api-qps must be > 0 and --kube-api-burst at least 1")
		return 2
	}
	// client-go's own rule: lease > renew deadline > 1.2 × retry period (its jitter).
	if o.RetryPeriod <= 0 || 5*o.RenewDeadline <= 6*o.RetryPeriod || o.LeaseDuration <= o.RenewDeadline {
		fmt.Fprintf(stderr, "ameide-operator: the Lease timings must satisfy --leader-elect-lease-duration (%s) > --leader-elect-renew-deadline (%s) > 1.2 × --leader-elect-retry-period (%s) > 0\n",
			o.LeaseDuration, o.RenewDeadline, o.RetryPeriod)
		return 2
	}
	if o.LagInterval <= 0 {
		fmt.Fprintln(stderr, "ameide-operator: --projection-lag-interval must be positive")
		return 2
	}
	if o.MaxConcurrentReconciles < 1 {
		fmt.Fprintln(stderr, "ameide-operator: --max-concurrent-reconciles must be at least 1")
		return 2
	}

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	setupLog := ctrl.Log.WithName("setup")
	if kubecfg != "" {
		if err := os.Setenv("KUBECONFIG", kubecfg); err != nil {
			setupLog.Error(err, "set KUBECONFIG")
			return 1
		}
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		setupLog.Error(err, "no Kubernetes configuration (in-cluster, --kubeconfig or $KUBECONFIG)")
		return 1
	}
	cfg.QPS, cfg.Burst = float32(qps), burst
	mgr, err := manager.New(cfg, o)
	if err != nil {
		setupLog.Error(err, "cannot start the manager")
		return 1
	}
	setupLog.Info("starting", "disabled", disable, "leaderElect", o.LeaderElect, "leaseID", o.LeaderElectionID)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		setupLog.Error(err, "manager stopped")
		return 1
	}
	return 0
}
