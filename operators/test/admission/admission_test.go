// Package admission_test proves the chart's placement ValidatingAdmissionPolicy
// against a real kube-apiserver (envtest): the policy and binding are the ones
// `helm template` renders from deploy/charts/ameide-operator, the CRDs are
// deploy/crds, and every verdict below is the API server's own CEL evaluation.
package admission_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	ameidev1alpha1 "ameide.io/operators/api/v1alpha1"
)

// The message prefixes the policy's messageExpressions produce (see
// templates/placement-policy.yaml); the assertions below name the object and
// namespace in full.
const (
	reservedRule = "namespaces starting with ameide- are reserved for platform primitives"
	tenantRule   = "a tenant's custom code runs only in its own namespaces tenant-acme-<env>-cust"
)

func TestPlacementPolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kube-apiserver and etcd (envtest); skipped with -short")
	}
	repo := repoRoot(t)
	policy, binding := renderPolicy(t, repo)

	env := &envtest.Environment{
		BinaryAssetsDirectory: controlPlaneBin(t, repo),
		CRDDirectoryPaths:     []string{filepath.Join(repo, "deploy", "crds")},
		ErrorIfCRDPathMissing: true,
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

	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, ameidev1alpha1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	for _, ns := range []string{"ameide-system", "tenant-acme-prod-cust", "tenant-acme-prod-base",
		"tenant-globex-prod-cust", "tenant-acme-prod-x-cust", "team-apps"} {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatalf("creating namespace %s: %v", ns, err)
		}
	}
	// Stored before the policy exists, as objects of an older cluster are.
	if err := c.Create(ctx, domain("legacy", "ameide-system", "tenant", "acme")); err != nil {
		t.Fatalf("creating a tenant-owned Domain before the policy: %v", err)
	}
	if err := c.Create(ctx, policy); err != nil {
		t.Fatalf("creating the rendered ValidatingAdmissionPolicy %s: %v", policy.Name, err)
	}
	if err := c.Create(ctx, binding); err != nil {
		t.Fatalf("creating the rendered ValidatingAdmissionPolicyBinding %s: %v", binding.Name, err)
	}

	// The API server enforces a policy only once it has loaded it and type
	// checked its expressions against the CRD schemas. Until then a create
	// passes; dry-run keeps those early attempts from being stored. (The
	// policy's status.typeChecking is written by kube-controller-manager,
	// which envtest does not run, so the test cannot wait on that instead.)
	var refusal error
	deadline := time.Now().Add(60 * time.Second)
	for {
		refusal = c.Create(ctx, domain("custom", "ameide-system", "tenant", "acme"), client.DryRunAll)
		if refusal != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if refusal == nil {
		t.Fatal("a tenant-owned Domain in ameide-system was still accepted 60 s after the policy and binding were created")
	}

	t.Run("policy type-checks against every CRD without warnings", func(t *testing.T) {
		// The API server type-checks a policy when it loads it, but writes the
		// result (status.typeChecking) only through kube-controller-manager's
		// validatingadmissionpolicy-status-controller: run just that one.
		startTypeCheckingController(t, env, repo)
		var got admissionv1.ValidatingAdmissionPolicy
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
			if err := c.Get(ctx, client.ObjectKeyFromObject(policy), &got); err != nil {
				t.Fatal(err)
			}
			if got.Status.TypeChecking != nil && got.Status.ObservedGeneration == got.Generation {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("kube-controller-manager reported no type checking for %s within 60 s", policy.Name)
			}
		}
		for _, w := range got.Status.TypeChecking.ExpressionWarnings {
			t.Errorf("type checking %s: %s", w.FieldRef, w.Warning)
		}
	})

	t.Run("tenant-owned Domain in ameide-system is refused with the policy's message", func(t *testing.T) {
		err := c.Create(ctx, domain("custom", "ameide-system", "tenant", "acme"))
		t.Logf("refusal: %v", err)
		assertRefused(t, err, "tenant-owned Domain custom may not be placed in namespace ameide-system: "+reservedRule)
		var stored ameidev1alpha1.Domain
		if err := c.Get(ctx, client.ObjectKey{Namespace: "ameide-system", Name: "custom"}, &stored); !apierrors.IsNotFound(err) {
			t.Fatalf("refused Domain: Get = %v, want NotFound", err)
		}
	})

	t.Run("platform Domain in ameide-system is accepted", func(t *testing.T) {
		if err := c.Create(ctx, domain("sales", "ameide-system", "platform", "")); err != nil {
			t.Fatalf("platform Domain refused: %v", err)
		}
	})

	t.Run("tenant-owned Domain in its tenant's custom namespace is accepted", func(t *testing.T) {
		if err := c.Create(ctx, domain("custom", "tenant-acme-prod-cust", "tenant", "acme")); err != nil {
			t.Fatalf("tenant Domain in tenant-acme-prod-cust refused: %v", err)
		}
	})

	t.Run("UPDATE that makes a platform Domain tenant-owned in ameide-system is refused", func(t *testing.T) {
		var d ameidev1alpha1.Domain
		if err := c.Get(ctx, client.ObjectKey{Namespace: "ameide-system", Name: "sales"}, &d); err != nil {
			t.Fatal(err)
		}
		d.Spec.Ownership = ameidev1alpha1.OwnershipTenant
		d.Spec.Tenant = "acme"
		assertRefused(t, c.Update(ctx, &d),
			"tenant-owned Domain sales may not be placed in namespace ameide-system: "+reservedRule)
	})

	t.Run("a misplaced Domain stored before the policy keeps metadata updates, loses spec updates, can be deleted", func(t *testing.T) {
		key := client.ObjectKey{Namespace: "ameide-system", Name: "legacy"}
		var d ameidev1alpha1.Domain
		if err := c.Get(ctx, key, &d); err != nil {
			t.Fatal(err)
		}
		d.Labels = map[string]string{"example.test/moved": "pending"}
		d.Finalizers = append(d.Finalizers, "example.test/cleanup")
		if err := c.Update(ctx, &d); err != nil {
			t.Fatalf("metadata-only update refused: %v", err)
		}
		spec := d.DeepCopy()
		spec.Spec.Replicas = ptr.To[int32](3)
		assertRefused(t, c.Update(ctx, spec),
			"tenant-owned Domain legacy may not be placed in namespace ameide-system: "+reservedRule)
		if err := c.Delete(ctx, &d); err != nil {
			t.Fatalf("delete refused: %v", err)
		}
		if err := c.Get(ctx, key, &d); err != nil || d.DeletionTimestamp == nil {
			t.Fatalf("after delete: %v, deletionTimestamp %v; want the finalizer to hold it", err, d.DeletionTimestamp)
		}
		d.Finalizers = nil
		if err := c.Update(ctx, &d); err != nil {
			t.Fatalf("removing the finalizer of a Domain being deleted refused: %v", err)
		}
		if err := c.Get(ctx, key, &d); !apierrors.IsNotFound(err) {
			t.Fatalf("after the finalizer is gone: Get = %v, want NotFound", err)
		}
	})

	t.Run("tenant-owned Domain outside its tenant's custom namespaces is refused", func(t *testing.T) {
		for _, ns := range []string{
			"tenant-globex-prod-cust", // another tenant's
			"tenant-acme-prod-base",   // the tenant's base namespace holds platform primitives
			"tenant-acme-prod-x-cust", // would be tenant acme-prod, environment x
			"team-apps",               // not a tenant namespace at all
		} {
			err := c.Create(ctx, domain("custom", ns, "tenant", "acme"), client.DryRunAll)
			assertRefused(t, err, "tenant-owned Domain custom of tenant acme may not be placed in namespace "+ns+": "+tenantRule)
		}
	})

	t.Run("platform Domain outside ameide-* namespaces is not restricted", func(t *testing.T) {
		if err := c.Create(ctx, domain("sales", "team-apps", "platform", ""), client.DryRunAll); err != nil {
			t.Fatalf("platform Domain in team-apps refused: %v", err)
		}
	})

	t.Run("every namespaced kind is covered", func(t *testing.T) {
		for kind, spec := range minimalSpecs {
			obj := primitive(kind, spec, "kind-check", "ameide-system", "tenant", "acme")
			err := c.Create(ctx, obj, client.DryRunAll)
			assertRefused(t, err, "tenant-owned "+kind+" kind-check may not be placed in namespace ameide-system: "+reservedRule)
			ok := primitive(kind, spec, "kind-check", "tenant-acme-prod-cust", "tenant", "acme")
			if err := c.Create(ctx, ok, client.DryRunAll); err != nil {
				t.Errorf("tenant-owned %s in tenant-acme-prod-cust refused: %v", kind, err)
			}
		}
	})
}

// startTypeCheckingController runs kube-controller-manager (from the
// control-plane cache, built on first use) with only the controller that
// writes ValidatingAdmissionPolicy type-checking results, as an admin of env.
func startTypeCheckingController(t *testing.T, env *envtest.Environment, repo string) {
	t.Helper()
	bin := filepath.Join(env.BinaryAssetsDirectory, "kube-controller-manager")
	if _, err := os.Stat(bin); err != nil {
		bin = filepath.Join(scriptOutput(t, filepath.Join(repo, "operators", "hack", "control-plane.sh"), "kube-controller-manager"),
			"kube-controller-manager")
	}
	user, err := env.AddUser(envtest.User{Name: "type-checker", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(file, kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--kubeconfig="+file, "--secure-port=0", "--leader-elect=false",
		"--use-service-account-credentials=false", "--controllers=validatingadmissionpolicy-status-controller")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("kube-controller-manager output:\n%s", logs.String())
		}
	})
}

// TestExamplesAreAdmitted sends every examples/primitives manifest to the API
// server (server-side dry run) with the placement policy active, so the CRD
// schemas, their CEL rules and the policy all judge them, which kubeconform
// (schemas only) cannot.
func TestExamplesAreAdmitted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kube-apiserver and etcd (envtest); skipped with -short")
	}
	repo := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(repo, "examples", "primitives", "*.yaml"))
	if len(files) == 0 {
		t.Skip("no examples/primitives/*.yaml")
	}
	policy, binding := renderPolicy(t, repo)
	env := &envtest.Environment{
		BinaryAssetsDirectory: controlPlaneBin(t, repo),
		CRDDirectoryPaths:     []string{filepath.Join(repo, "deploy", "crds")},
		ErrorIfCRDPathMissing: true,
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
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, obj := range []client.Object{policy, binding} {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatalf("creating %s: %v", obj.GetName(), err)
		}
	}
	// Wait until the policy is enforced (see TestPlacementPolicy).
	probe := primitive("Integration", minimalSpecs["Integration"], "probe", "ameide-probe", "tenant", "acme")
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ameide-probe"}}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if err := c.Create(ctx, probe.DeepCopy(), client.DryRunAll); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the placement policy was not enforced within 60 s")
		}
	}
	namespaces := map[string]bool{"ameide-probe": true}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var raw map[string]any
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if raw == nil {
				continue
			}
			obj := &unstructured.Unstructured{Object: raw}
			if ns := obj.GetNamespace(); ns != "" && !namespaces[ns] {
				if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
					t.Fatal(err)
				}
				namespaces[ns] = true
			}
			if err := c.Create(ctx, obj, client.DryRunAll); err != nil {
				t.Errorf("%s: %s %s refused by the API server: %v", filepath.Base(file), obj.GetKind(), obj.GetName(), err)
			}
		}
	}
}

// minimalSpecs are the smallest specs each CRD accepts, besides ownership and tenant.
var minimalSpecs = map[string]string{
	"Domain":      `{image: "img:1", version: "1", database: {mode: secret, secretRef: {name: db, key: url}}}`,
	"Process":     `{image: "img:1", definition: {name: order-to-cash, version: 1}}`,
	"Agent":       `{image: "img:1", definition: {name: triage, version: 1}, tools: ["ameide.sales.v1.OrderService/GetOrder"]}`,
	"UISurface":   `{image: "img:1", gateway: {name: public}, hostnames: ["console.example.test"]}`,
	"Projection":  `{image: "img:1", definition: {name: orders, version: 1}, storage: {name: db, key: url}}`,
	"Integration": `{image: "img:1"}`,
}

func primitive(kind, spec, name, ns, ownership, tenant string) *unstructured.Unstructured {
	var s map[string]any
	if err := yaml.Unmarshal([]byte(spec), &s); err != nil {
		panic(fmt.Sprintf("spec of %s: %v", kind, err))
	}
	s["ownership"] = ownership
	if tenant != "" {
		s["tenant"] = tenant
	}
	u := &unstructured.Unstructured{Object: map[string]any{"spec": s}}
	u.SetAPIVersion(ameidev1alpha1.GroupVersion.String())
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func domain(name, ns, ownership, tenant string) *ameidev1alpha1.Domain {
	return &ameidev1alpha1.Domain{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: ameidev1alpha1.DomainSpec{
			Workload: ameidev1alpha1.Workload{
				Image:     "ameide/sales:1.0.0",
				Ownership: ameidev1alpha1.Ownership(ownership),
				Tenant:    tenant,
				Replicas:  ptr.To[int32](1),
			},
			Version: "1.0.0",
			Database: ameidev1alpha1.DomainDatabase{
				Mode:      ameidev1alpha1.DatabaseSecret,
				SecretRef: &ameidev1alpha1.SecretKeyRef{Name: "sales-db", Key: "url"},
			},
		},
	}
}

// assertRefused checks that err is the policy's denial (403 Forbidden, the
// reason the policy declares) and that its message contains want.
func assertRefused(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("accepted; want refusal %q", want)
		return
	}
	if !apierrors.IsForbidden(err) {
		t.Errorf("refused with %v (reason %q); want Forbidden from the placement policy", err, apierrors.ReasonForError(err))
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("refusal message\n  %s\ndoes not contain\n  %s", err.Error(), want)
	}
	if !strings.Contains(err.Error(), "ameide-operator-placement") {
		t.Errorf("refusal %q does not name the policy", err.Error())
	}
}

// renderPolicy runs `helm template` on the chart and returns the policy and
// binding it renders, so the test proves what ships.
func renderPolicy(t *testing.T, repo string) (*admissionv1.ValidatingAdmissionPolicy, *admissionv1.ValidatingAdmissionPolicyBinding) {
	t.Helper()
	helm := tool(t, repo, "helm")
	cmd := exec.Command(helm, "template", "ameide-operator", filepath.Join(repo, "deploy", "charts", "ameide-operator"),
		"--namespace", "ameide-system")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template: %v\n%s", err, stderr.String())
	}
	var policy *admissionv1.ValidatingAdmissionPolicy
	var binding *admissionv1.ValidatingAdmissionPolicyBinding
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		var raw map[string]any
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding helm template output: %v", err)
		}
		if raw == nil {
			continue
		}
		switch raw["kind"] {
		case "ValidatingAdmissionPolicy":
			policy = &admissionv1.ValidatingAdmissionPolicy{}
			fromMap(t, raw, policy)
		case "ValidatingAdmissionPolicyBinding":
			binding = &admissionv1.ValidatingAdmissionPolicyBinding{}
			fromMap(t, raw, binding)
		}
	}
	if policy == nil || binding == nil {
		t.Fatalf("helm template rendered no ValidatingAdmissionPolicy and binding (policy %v, binding %v)", policy != nil, binding != nil)
	}
	if binding.Spec.PolicyName != policy.Name {
		t.Fatalf("binding %s binds %q, not the policy %q", binding.Name, binding.Spec.PolicyName, policy.Name)
	}
	return policy, binding
}

func fromMap(t *testing.T, raw map[string]any, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(raw, into, true); err != nil {
		t.Fatalf("rendered %v does not convert to its Go type: %v", raw["kind"], err)
	}
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

// tool is the path deploy/hack/tools.sh prints for a cached cluster tool.
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
