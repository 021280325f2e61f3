// Package install_test installs the ameide-operator Helm chart with helm
// itself into a real kube-apiserver (envtest, no CRDs preinstalled: helm
// installs crds/), then asks the API server's RBAC authorizer what the
// manager's ServiceAccount may do, upgrades and uninstalls the release.
package install_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const release, namespace = "ameide-operator", "ameide-system"

var manager = "system:serviceaccount:" + namespace + ":" + release

func TestChartInstallsOnARealAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kube-apiserver and etcd (envtest); skipped with -short")
	}
	repo := repoRoot(t)
	chart := filepath.Join(repo, "deploy", "charts", "ameide-operator")
	// The ameide.io CRDs come from the chart (helm installs crds/); only the
	// prometheus-operator's ServiceMonitor CRD is preinstalled, as a cluster
	// running prometheus-operator has it.
	env := &envtest.Environment{
		BinaryAssetsDirectory: controlPlaneBin(t, repo),
		CRDInstallOptions: envtest.CRDInstallOptions{
			Paths:              []string{scriptOutput(t, filepath.Join(repo, "deploy", "hack", "third-party-crds.sh"), "prometheus")},
			ErrorIfPathMissing: true,
		},
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest (kube-apiserver + etcd): %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	admin, err := env.AddUser(envtest.User{Name: "chart-installer", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfigFile := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfigFile, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	helmBin := tool(t, repo, "helm")
	helm := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(helmBin, append(args, "--kubeconfig", kubeconfigFile)...)
		cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	out := helm("install", release, chart, "--namespace", namespace, "--create-namespace",
		"--values", filepath.Join(chart, "ci", "all-on-values.yaml"))
	if !strings.Contains(out, "STATUS: deployed") {
		t.Fatalf("helm install did not report the release deployed:\n%s", out)
	}
	for _, note := range []string{
		"deployment/ameide-operator (3 replica(s), leader-elected)",
		"validatingadmissionpolicy/ameide-operator-placement (Deny)",
	} {
		if !strings.Contains(out, note) {
			t.Errorf("helm install's NOTES do not say %q:\n%s", note, out)
		}
	}

	t.Run("the ServiceMonitor scrapes the metrics Service", func(t *testing.T) {
		sm := &unstructured.Unstructured{}
		sm.SetAPIVersion("monitoring.coreos.com/v1")
		sm.SetKind("ServiceMonitor")
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: release}, sm); err != nil {
			t.Fatalf("ServiceMonitor %s: %v", release, err)
		}
		endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
		if len(endpoints) != 1 || endpoints[0].(map[string]any)["port"] != "metrics" {
			t.Errorf("ServiceMonitor endpoints %v: want the metrics port", endpoints)
		}
	})

	t.Run("helm installed the CRDs from crds/", func(t *testing.T) {
		for _, name := range []string{"domains", "processes", "agents", "uisurfaces", "projections", "integrations", "ameidetenants"} {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := c.Get(ctx, client.ObjectKey{Name: name + ".ameide.io"}, &crd); err != nil {
				t.Errorf("CRD %s.ameide.io: %v", name, err)
			}
		}
	})

	t.Run("the manager's ServiceAccount may do what the reconcilers need", func(t *testing.T) {
		for _, a := range []authorizationv1.ResourceAttributes{
			{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: namespace, Name: "ameide-operator.ameide.io"},
			{Group: "ameide.io", Resource: "domains", Verb: "watch"},
			{Group: "ameide.io", Resource: "domains", Subresource: "status", Verb: "patch", Namespace: "tenant-acme-prod-cust"},
			{Group: "apps", Resource: "deployments", Verb: "patch", Namespace: "tenant-acme-prod-cust"},
			{Group: "batch", Resource: "jobs", Verb: "create", Namespace: "ameide-system"},
		} {
			if !allowed(ctx, t, c, a) {
				t.Errorf("%s may not %s; the reconcilers need it", manager, describe(a))
			}
		}
	})

	t.Run("the manager's ServiceAccount may not do what no reconciler needs", func(t *testing.T) {
		for _, a := range []authorizationv1.ResourceAttributes{
			{Resource: "secrets", Verb: "get", Namespace: "tenant-acme-prod-cust"},
			{Resource: "secrets", Verb: "list"},
			{Resource: "pods", Subresource: "exec", Verb: "create", Namespace: namespace},
			{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Verb: "create"},
			{Group: "rbac.authorization.k8s.io", Resource: "clusterroles", Verb: "escalate"},
			{Group: "rbac.authorization.k8s.io", Resource: "rolebindings", Verb: "create", Namespace: "tenant-acme-prod-cust"},
			{Group: "admissionregistration.k8s.io", Resource: "validatingadmissionpolicies", Verb: "delete"},
			{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions", Verb: "delete"},
			{Group: "ameide.io", Resource: "domains", Verb: "create", Namespace: "tenant-acme-prod-cust"},
			// Leader election needs Leases in the release namespace only.
			{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: "kube-system", Name: "kube-controller-manager"},
		} {
			if allowed(ctx, t, c, a) {
				t.Errorf("%s may %s; least privilege says it must not", manager, describe(a))
			}
		}
	})

	t.Run("the installed placement policy refuses a tenant-owned Domain in ameide-system", func(t *testing.T) {
		var policy admissionv1.ValidatingAdmissionPolicy
		if err := c.Get(ctx, client.ObjectKey{Name: release + "-placement"}, &policy); err != nil {
			t.Fatalf("placement policy not installed: %v", err)
		}
		var binding admissionv1.ValidatingAdmissionPolicyBinding
		if err := c.Get(ctx, client.ObjectKey{Name: release + "-placement"}, &binding); err != nil {
			t.Fatalf("placement policy binding not installed: %v", err)
		}
		domain := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "ameide.io/v1alpha1", "kind": "Domain",
			"metadata": map[string]any{"name": "custom", "namespace": namespace},
			"spec": map[string]any{"image": "img:1", "version": "1", "ownership": "tenant", "tenant": "acme",
				"database": map[string]any{"mode": "secret", "secretRef": map[string]any{"name": "db", "key": "url"}}},
		}}
		// The API server enforces a new policy once it has loaded and type
		// checked it; dry-run keeps attempts before that from being stored.
		var err error
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			if err = c.Create(ctx, domain.DeepCopy(), client.DryRunAll); err != nil {
				break
			}
		}
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(),
			"tenant-owned Domain custom may not be placed in namespace ameide-system") {
			t.Fatalf("tenant-owned Domain in ameide-system: %v; want the placement policy's refusal", err)
		}
	})

	t.Run("upgrade to the default values and uninstall", func(t *testing.T) {
		helm("upgrade", release, chart, "--namespace", namespace)
		helm("uninstall", release, "--namespace", namespace)
		var policy admissionv1.ValidatingAdmissionPolicy
		if err := c.Get(ctx, client.ObjectKey{Name: release + "-placement"}, &policy); !apierrors.IsNotFound(err) {
			t.Errorf("placement policy after uninstall: %v, want NotFound", err)
		}
		// Helm never deletes crds/: an uninstall must not delete every primitive in the cluster.
		var crd apiextensionsv1.CustomResourceDefinition
		if err := c.Get(ctx, client.ObjectKey{Name: "domains.ameide.io"}, &crd); err != nil {
			t.Errorf("CRD domains.ameide.io after uninstall: %v, want it kept", err)
		}
	})
}

// describe reads "update coordination.k8s.io/leases in namespace ameide-system".
func describe(a authorizationv1.ResourceAttributes) string {
	s := a.Verb + " " + a.Group + "/" + a.Resource
	if a.Subresource != "" {
		s += "/" + a.Subresource
	}
	if a.Namespace == "" {
		return s + " in every namespace"
	}
	return s + " in namespace " + a.Namespace
}

func allowed(ctx context.Context, t *testing.T, c client.Client, a authorizationv1.ResourceAttributes) bool {
	t.Helper()
	review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:               manager,
		Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
		ResourceAttributes: &a,
	}}
	if err := c.Create(ctx, review); err != nil {
		t.Fatalf("SubjectAccessReview: %v", err)
	}
	return review.Status.Allowed
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "deploy", "charts", "ameide-operator", "Chart.yaml")); err != nil {
		t.Fatalf("repository root not found from %s: %v", root, err)
	}
	return root
}

// controlPlaneBin is KUBEBUILDER_ASSETS when set, else the directory
// operators/hack/control-plane.sh prints (it builds the binaries once per machine).
func controlPlaneBin(t *testing.T, repo string) string {
	t.Helper()
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return scriptOutput(t, filepath.Join(repo, "operators", "hack", "control-plane.sh"))
}

func tool(t *testing.T, repo, name string) string {
	t.Helper()
	return scriptOutput(t, filepath.Join(repo, "deploy", "hack", "tools.sh"), name)
}

func scriptOutput(t *testing.T, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v", script, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}
