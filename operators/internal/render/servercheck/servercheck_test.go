package servercheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/config/crd"
	"ameide.io/operators/internal/render"
	"ameide.io/operators/internal/validate"
)

var (
	once    sync.Once
	k8s     client.Client
	testEnv *envtest.Environment
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if testEnv != nil {
		_ = testEnv.Stop()
	}
	os.Exit(code)
}

// server starts one kube-apiserver + etcd with the embedded CRDs.
func server(t *testing.T) client.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("real kube-apiserver + etcd; skipped with -short")
	}
	once.Do(func() { envErr = start() })
	if envErr != nil {
		t.Fatalf("envtest did not start: %v", envErr)
	}
	return k8s
}

func start() error {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set: run operators/hack/control-plane.sh and export the directory it prints (or go test -short)")
	}
	names, err := fs.Glob(crd.Files, "*.yaml")
	if err != nil {
		return err
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, n := range names {
		raw, err := fs.ReadFile(crd.Files, n)
		if err != nil {
			return err
		}
		def := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(raw, def); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		crds = append(crds, def)
	}
	paths, err := thirdPartyCRDs()
	if err != nil {
		return err
	}
	testEnv = &envtest.Environment{CRDs: crds, CRDInstallOptions: envtest.CRDInstallOptions{Paths: paths, ErrorIfPathMissing: true}, BinaryAssetsDirectory: assets}
	cfg, err := testEnv.Start()
	if err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	return err
}

// thirdPartyScript prints the paths of the prometheus-operator, Gateway API
// and CloudNativePG CRDs at the versions the chart is checked against.
const thirdPartyScript = "../../../../deploy/hack/third-party-crds.sh"

var haveThirdParty bool

// thirdPartyCRDs are the CRDs of the optional APIs (ServiceMonitor,
// HTTPRoute, CNPG Database), so their children are checked by the real
// schemas too; none when the script is absent from the checkout.
func thirdPartyCRDs() ([]string, error) {
	if _, err := os.Stat(thirdPartyScript); err != nil {
		return nil, nil
	}
	out, err := exec.Command("bash", thirdPartyScript, "prometheus", "gateway", "cnpg").Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", thirdPartyScript, err)
	}
	paths := strings.Fields(string(out))
	haveThirdParty = len(paths) > 0
	return paths, nil
}

func ensureNamespace(t *testing.T, c client.Client, name string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := c.Create(context.Background(), ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("namespace %s: %v", name, err)
	}
}

type refusal struct {
	Name    string                 `json:"name"`
	Field   string                 `json:"field"`
	Message string                 `json:"message"`
	Object  map[string]interface{} `json:"object"`
}

// The offline validator and the API server refuse the same CRs and name
// the same field.
func TestOfflineValidationAgreesWithTheAPIServer(t *testing.T) {
	c := server(t)
	ensureNamespace(t, c, "apps")
	raw, err := os.ReadFile("../../validate/testdata/refusals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []refusal
	if err := yaml.UnmarshalStrict(raw, &cases); err != nil || len(cases) == 0 {
		t.Fatalf("refusals.yaml: %v (%d cases)", err, len(cases))
	}
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cases {
		t.Run(r.Name, func(t *testing.T) {
			u := &unstructured.Unstructured{Object: r.Object}
			_, offline := v.Admit(u)
			if offline == nil || !strings.Contains(offline.Error(), r.Field) {
				t.Fatalf("offline: %v, want a refusal naming %s", offline, r.Field)
			}
			// kubectl's default: strict server-side field validation.
			live := c.Create(context.Background(), u.DeepCopy(), client.FieldValidation(metav1.FieldValidationStrict))
			if live == nil {
				t.Fatalf("the API server accepted what the offline validator refused (%v)", offline)
			}
			if !strings.Contains(live.Error(), r.Field) {
				t.Errorf("API server: %v\ndoes not name %s (offline: %v)", live, r.Field, offline)
			}
			if !strings.Contains(live.Error(), r.Message) && !strings.Contains(live.Error(), strings.TrimPrefix(r.Message, "unknown field")) {
				t.Errorf("API server: %v\nlacks %q", live, r.Message)
			}
		})
	}
}

func exampleObjects(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	files, err := filepath.Glob("../../../../examples/primitives/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v", err)
	}
	extra := []string{`
apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: order-book, namespace: ameide-apps}
spec:
  image: ghcr.io/ameide/orders:1.0.0
  version: 1.0.0
  database: {mode: cnpg, cluster: pg-main, secretRef: {name: orders-db, key: url}}
  autoscaling: {minReplicas: 2, maxReplicas: 5}
`, `
apiVersion: ameide.io/v1alpha1
kind: Agent
metadata: {name: order-helper, namespace: ameide-apps}
spec:
  image: ghcr.io/ameide/agent:0.1.0
  definition: {name: order-helper, version: 2}
  modelSecretRef: {name: openai, key: api-key}
  tools: [ameide.sales.v1.OrderService/GetOrder]
`, `
apiVersion: ameide.io/v1alpha1
kind: Projection
metadata: {name: order-totals, namespace: ameide-apps}
spec:
  image: ghcr.io/ameide/projections:0.1.0
  definition: {name: order-totals, version: 1}
  storage: {name: read-models, key: url}
  autoscaling: {maxReplicas: 3}
`, `
apiVersion: ameide.io/v1alpha1
kind: Integration
metadata: {name: crm-sync, namespace: ameide-apps}
spec:
  image: ghcr.io/ameide/integrations:0.1.0
  parameters: {crmBaseUrl: "https://crm.example"}
  schedules:
  - {name: nightly, cron: "0 2 * * *", flow: import-accounts}
`, `
apiVersion: ameide.io/v1alpha1
kind: Process
metadata: {name: refunds, namespace: ameide-apps}
spec:
  image: ghcr.io/ameide/process-worker:0.1.0
  definition: {name: refunds, version: 1}
  compensationSchedule: "*/30 * * * *"
`, `
apiVersion: ameide.io/v1alpha1
kind: AmeideTenant
metadata: {name: shared-co}
spec: {id: shared-co, environments: [prod]}
`}
	var docs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	for _, e := range extra {
		docs = append(docs, []byte(e))
	}
	var out []*unstructured.Unstructured
	for _, d := range docs {
		dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(string(d)), 4096)
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

// CRs the offline validator admits are admitted by the API server with the
// same defaults.
func TestOfflineDefaultsMatchTheAPIServer(t *testing.T) {
	c := server(t)
	ensureNamespace(t, c, "ameide-apps")
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range exampleObjects(t) {
		name := u.GetKind() + "/" + u.GetName()
		offline, err := v.Admit(u)
		if err != nil {
			t.Fatalf("%s refused offline: %v", name, err)
		}
		live := u.DeepCopy()
		if err := c.Create(context.Background(), live, client.FieldValidation(metav1.FieldValidationStrict)); err != nil {
			t.Fatalf("%s refused by the API server: %v", name, err)
		}
		offlineSpec, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(offline)
		a, _ := json.Marshal(offlineSpec["spec"])
		b, _ := json.Marshal(live.Object["spec"])
		if string(a) != string(b) {
			t.Errorf("%s spec after defaulting:\noffline %s\nserver  %s", name, a, b)
		}
		_ = c.Delete(context.Background(), live)
	}
}

// Every child is accepted by server-side apply, and a second apply of the
// same render changes nothing. The optional APIs' children (ServiceMonitor,
// HTTPRoute, CNPG Database) are included when their CRDs are installed.
func TestRenderedChildrenApplyAndStayStable(t *testing.T) {
	c := server(t)
	ensureNamespace(t, c, "ameide-apps")
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	opts := render.Options{OTelEndpoint: "http://otel-collector.observability.svc:4317", TemporalAddress: "temporal:7233", PlanHash: "abc",
		TokenIssuer: "https://id.example/realms/ameide", JWKSURL: "https://id.example/realms/ameide/protocol/openid-connect/certs"}
	if haveThirdParty {
		opts.Capabilities = render.Capabilities{CNPG: true, PrometheusOperator: true, GatewayAPI: true}
	} else {
		t.Logf("%s not in this checkout: children of optional APIs not applied", thirdPartyScript)
	}
	kinds := map[string]int{}
	ctx := context.Background()
	applied := 0
	for _, u := range exampleObjects(t) {
		obj, err := v.Admit(u)
		if err != nil {
			t.Fatalf("%s: %v", u.GetName(), err)
		}
		kids, err := render.Children(obj, opts)
		if err != nil {
			t.Fatalf("render %s: %v", u.GetName(), err)
		}
		for _, kid := range kids {
			name := fmt.Sprintf("%s %s/%s of %s %s", kid.GetKind(), kid.GetNamespace(), kid.GetName(), u.GetKind(), u.GetName())
			first := kid.DeepCopy()
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(first), client.FieldOwner("ameide-render-check"), client.ForceOwnership); err != nil {
				t.Errorf("apply %s: %v", name, err)
				continue
			}
			before := &unstructured.Unstructured{}
			before.SetGroupVersionKind(kid.GroupVersionKind())
			if err := c.Get(ctx, client.ObjectKeyFromObject(kid), before); err != nil {
				t.Fatalf("get %s: %v", name, err)
			}
			again := kid.DeepCopy()
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(again), client.FieldOwner("ameide-render-check"), client.ForceOwnership); err != nil {
				t.Errorf("re-apply %s: %v", name, err)
				continue
			}
			after := &unstructured.Unstructured{}
			after.SetGroupVersionKind(kid.GroupVersionKind())
			if err := c.Get(ctx, client.ObjectKeyFromObject(kid), after); err != nil {
				t.Fatalf("get %s: %v", name, err)
			}
			if before.GetResourceVersion() != after.GetResourceVersion() {
				t.Errorf("re-applying %s changed it (resourceVersion %s → %s)", name, before.GetResourceVersion(), after.GetResourceVersion())
			}
			applied++
			kinds[kid.GetKind()]++
		}
	}
	if haveThirdParty {
		for _, k := range []string{"ServiceMonitor", "HTTPRoute", "Database"} {
			if kinds[k] == 0 {
				t.Errorf("no %s applied although its CRD is installed", k)
			}
		}
	}
	t.Logf("applied per kind: %v", kinds)
	if applied < 30 {
		t.Errorf("applied %d children, expected the examples to give at least 30", applied)
	}
	t.Logf("%d children applied and re-applied without change", applied)
}

// A Job's pod template is immutable: after a Domain's env, resources or the
// operator's own settings change, applying the new render must still
// succeed (a new migration Job, or the same one unchanged), never fail with
// "field is immutable".
func TestChangedDomainStillApplies(t *testing.T) {
	c := server(t)
	ensureNamespace(t, c, "immutability")
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	doc := `
apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: ledger, namespace: immutability}
spec:
  image: ghcr.io/ameide/ledger:1.0.0
  version: 1.0.0
  database: {secretRef: {name: ledger-db, key: url}}
`
	steps := []struct {
		what string
		doc  string
		opts render.Options
	}{
		{"first", doc, render.Options{}},
		{"operator options changed", doc, render.Options{OTelEndpoint: "http://otel:4317", TokenIssuer: "https://id", JWKSURL: "https://id/certs"}},
		{"spec.env changed", doc + "  env: {LOG_LEVEL: debug}\n", render.Options{}},
		{"resources changed", doc + "  resources: {memoryLimit: 1Gi}\n", render.Options{}},
		{"version changed", strings.Replace(doc, "version: 1.0.0", "version: 1.1.0", 1), render.Options{}},
	}
	jobs := map[string]bool{}
	for _, s := range steps {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(s.doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		obj, err := v.Admit(u)
		if err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		kids, err := render.Children(obj, s.opts)
		if err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		for _, kid := range kids {
			if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(kid.DeepCopy()), client.FieldOwner("ameide-render-check"), client.ForceOwnership); err != nil {
				t.Errorf("%s: apply %s %s: %v", s.what, kid.GetKind(), kid.GetName(), err)
			}
			if kid.GetKind() == "Job" {
				jobs[kid.GetName()] = true
			}
		}
	}
	// first and "operator options changed" share a Job; the other three are new.
	if len(jobs) != 4 {
		t.Errorf("migration Jobs %v, want 4 distinct", jobs)
	}
}
