// Package chart_test checks what the ameide-operator Helm chart renders
// (`helm template`, no cluster): least-privilege RBAC that matches the role
// controller-gen generates from the reconcilers' markers, CRDs identical to
// deploy/crds, and a manager Deployment with leader election, probes and a
// locked-down security context. deploy/hack/check-chart.sh runs it in CI.
package chart_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const release, namespace = "ameide-operator", "ameide-system"

func TestRBACHasNoWildcards(t *testing.T) {
	for _, variant := range []string{"", "all-on"} {
		for _, obj := range render(t, variant) {
			kind := obj["kind"]
			if kind != "Role" && kind != "ClusterRole" {
				continue
			}
			var role rbacv1.ClusterRole // Role and ClusterRole rules have the same shape
			convert(t, obj, &role)
			for i, r := range role.Rules {
				for field, values := range map[string][]string{
					"verbs": r.Verbs, "apiGroups": r.APIGroups, "resources": r.Resources,
					"resourceNames": r.ResourceNames, "nonResourceURLs": r.NonResourceURLs,
				} {
					if slices.Contains(values, "*") || slices.ContainsFunc(values, func(v string) bool { return strings.HasSuffix(v, "/*") }) {
						t.Errorf("%s %s rule %d: %s %v holds a wildcard; grant each verb and resource by name",
							kind, role.Name, i, field, values)
					}
				}
				if len(r.Verbs) == 0 {
					t.Errorf("%s %s rule %d grants no verb", kind, role.Name, i)
				}
			}
		}
	}
}

func TestClusterRoleIsTheGeneratedRole(t *testing.T) {
	got := find[rbacv1.ClusterRole](t, render(t, ""), "ClusterRole", release+"-manager")
	generated := filepath.Join(repoRoot(t), "operators", "config", "rbac", "role.yaml")
	data, err := os.ReadFile(generated)
	if errors.Is(err, os.ErrNotExist) {
		if len(got.Rules) != 0 {
			t.Fatalf("%s does not exist (no +kubebuilder:rbac markers), yet the chart grants %v", generated, got.Rules)
		}
		return
	} else if err != nil {
		t.Fatal(err)
	}
	var want rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(data, &want); err != nil {
		t.Fatalf("%s: %v", generated, err)
	}
	if !reflect.DeepEqual(got.Rules, want.Rules) {
		t.Fatalf("the chart's ClusterRole drifted from %s (run deploy/hack/chart-sync.sh)\n chart:     %v\n generated: %v",
			generated, got.Rules, want.Rules)
	}
	binding := find[rbacv1.ClusterRoleBinding](t, render(t, ""), "ClusterRoleBinding", release+"-manager")
	if binding.RoleRef.Name != got.Name || len(binding.Subjects) != 1 ||
		binding.Subjects[0].Name != release || binding.Subjects[0].Namespace != namespace {
		t.Fatalf("ClusterRoleBinding does not bind %s to the manager's ServiceAccount: %+v", got.Name, binding)
	}
}

func TestLeaderElectionRoleStaysInTheReleaseNamespace(t *testing.T) {
	role := find[rbacv1.Role](t, render(t, ""), "Role", release+"-leader-election")
	if role.Namespace != namespace {
		t.Fatalf("leader-election Role in namespace %q, want the release namespace %q", role.Namespace, namespace)
	}
	var leases bool
	for _, r := range role.Rules {
		if slices.Contains(r.Resources, "leases") {
			leases = slices.Equal(r.APIGroups, []string{"coordination.k8s.io"}) &&
				slices.Equal(r.Verbs, []string{"get", "create", "update"})
		}
	}
	if !leases {
		t.Fatalf("leader-election Role does not grant exactly get/create/update on coordination.k8s.io leases: %v", role.Rules)
	}
}

func TestCRDsAreTheGeneratedCRDs(t *testing.T) {
	root := repoRoot(t)
	generated, _ := filepath.Glob(filepath.Join(root, "deploy", "crds", "*.yaml"))
	copies, _ := filepath.Glob(filepath.Join(root, "deploy", "charts", "ameide-operator", "crds", "*.yaml"))
	if len(generated) == 0 {
		t.Fatal("deploy/crds holds no CRD")
	}
	names := func(paths []string) (out []string) {
		for _, p := range paths {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	if !slices.Equal(names(generated), names(copies)) {
		t.Fatalf("chart crds/ %v differ from deploy/crds %v (run deploy/hack/chart-sync.sh)", names(copies), names(generated))
	}
	for i := range generated {
		a, _ := os.ReadFile(generated[i])
		b, _ := os.ReadFile(copies[i])
		if !bytes.Equal(a, b) {
			t.Errorf("chart crds/%s differs from deploy/crds (run deploy/hack/chart-sync.sh)", filepath.Base(copies[i]))
		}
	}
}

func TestManagerDeployment(t *testing.T) {
	d := find[appsv1.Deployment](t, render(t, ""), "Deployment", release)
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas = %v, want 2 (leader plus stand-by)", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Args) == 0 || c.Args[0] != "run" || !slices.Contains(c.Args, "--leader-elect=true") ||
		!slices.Contains(c.Args, "--metrics-bind-address=:8080") || !slices.Contains(c.Args, "--health-probe-bind-address=:8081") {
		t.Errorf("args %v: want run --leader-elect=true with the metrics and health addresses", c.Args)
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["metrics"] != 8080 || ports["health"] != 8081 {
		t.Errorf("ports %v: want metrics 8080, health 8081", ports)
	}
	for probe, want := range map[string]string{"liveness": "/healthz", "readiness": "/readyz"} {
		p := c.LivenessProbe
		if probe == "readiness" {
			p = c.ReadinessProbe
		}
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != want || p.HTTPGet.Port.String() != "health" {
			t.Errorf("%s probe %+v: want GET %s on the health port", probe, p, want)
		}
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext %+v: want read-only root, no privilege escalation, all capabilities dropped", sc)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("pod securityContext %+v: want runAsNonRoot", pod.SecurityContext)
	}
	if pod.ServiceAccountName != release {
		t.Errorf("serviceAccountName %q, want %q", pod.ServiceAccountName, release)
	}
}

func TestRefusedValues(t *testing.T) {
	for _, tc := range []struct {
		set  []string
		want string
	}{
		{[]string{"replicaCount=2", "leaderElection.enabled=false"}, "replicaCount > 1 needs leaderElection.enabled"},
		{[]string{"serviceMonitor.enabled=true", "metrics.service.enabled=false"}, "serviceMonitor.enabled needs metrics.service.enabled"},
		{[]string{"operator.disabledReconcilers={domian}"}, "/operator/disabledReconcilers/0"},
		{[]string{"replicaCount=0"}, "/replicaCount"},
		{[]string{"unknownValue=1"}, "additional properties 'unknownValue' not allowed"},
	} {
		args := []string{"template", release, chartDir(t), "--namespace", namespace}
		for _, s := range tc.set {
			args = append(args, "--set", s)
		}
		out, err := exec.Command(helm(t), args...).CombinedOutput()
		if err == nil {
			t.Errorf("helm template --set %v rendered; want it refused with %q", tc.set, tc.want)
		} else if !strings.Contains(string(out), tc.want) {
			t.Errorf("helm template --set %v refused with\n%s\nwant a message containing %q", tc.set, out, tc.want)
		}
	}
}

// render runs `helm template` with the chart's ci/<variant>-values.yaml (none
// for ""), returning the rendered objects.
func render(t *testing.T, variant string) []map[string]any {
	t.Helper()
	args := []string{"template", release, chartDir(t), "--namespace", namespace}
	if variant != "" {
		args = append(args, "--values", filepath.Join(chartDir(t), "ci", variant+"-values.yaml"))
	}
	cmd := exec.Command(helm(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var objs []map[string]any
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatalf("decoding helm template output: %v", err)
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
}

func find[T any](t *testing.T, objs []map[string]any, kind, name string) *T {
	t.Helper()
	for _, obj := range objs {
		meta, _ := obj["metadata"].(map[string]any)
		if obj["kind"] == kind && meta["name"] == name {
			out := new(T)
			convert(t, obj, out)
			return out
		}
	}
	t.Fatalf("helm template rendered no %s %s", kind, name)
	return nil
}

func convert(t *testing.T, obj map[string]any, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj, into, true); err != nil {
		t.Fatalf("rendered %v does not convert to its Go type: %v", obj["kind"], err)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func chartDir(t *testing.T) string {
	return filepath.Join(repoRoot(t), "deploy", "charts", "ameide-operator")
}

var helmPath string

// helm is the binary deploy/hack/tools.sh builds once per machine.
func helm(t *testing.T) string {
	t.Helper()
	if helmPath == "" {
		cmd := exec.Command("bash", filepath.Join(repoRoot(t), "deploy", "hack", "tools.sh"), "helm")
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("deploy/hack/tools.sh helm: %v", err)
		}
		helmPath = strings.TrimSpace(string(out))
	}
	return helmPath
}
