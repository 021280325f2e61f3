package rendercmd_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"ameide.io/operators/internal/rendercmd"
)

var update = flag.Bool("update", false, "rewrite testdata/examples.golden.yaml from the current output")

const examples = "../../../examples/primitives"

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = rendercmd.Run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// parse reads a YAML stream back into objects.
func parse(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if err.Error() == "EOF" {
				return out
			}
			t.Fatalf("output is not a YAML stream of objects: %v", err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

func get(t *testing.T, objs []*unstructured.Unstructured, kind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %s/%s in the output", kind, ns, name)
	return nil
}

func exampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examples, "*.yaml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("examples: %v %v", files, err)
	}
	return files
}

// Every example renders; the output matches the golden file and carries
// the fields a reviewer looks for.
func TestRenderExamples(t *testing.T) {
	args := []string{"--capabilities", "all", "--otel-endpoint", "http://otel-collector.observability.svc:4317",
		"--temporal-address", "temporal-frontend.temporal.svc:7233",
		"--token-issuer", "https://id.ameide.example/realms/ameide",
		"--jwks-url", "https://id.ameide.example/realms/ameide/protocol/openid-connect/certs"}
	for _, f := range exampleFiles(t) {
		args = append(args, "-f", f)
	}
	code, stdout, stderr := run(t, "", args...)
	if code != rendercmd.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden := filepath.Join("testdata", "examples.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/rendercmd -update to create it)", err)
	}
	if stdout != string(want) {
		t.Errorf("output differs from %s (rerun with -update after checking the change)", golden)
	}

	objs := parse(t, stdout)
	for _, ns := range []string{"tenant-demo-dev-base", "tenant-demo-dev-cust", "tenant-demo-prod-base", "tenant-demo-prod-cust"} {
		get(t, objs, "Namespace", "", ns)
		get(t, objs, "NetworkPolicy", ns, "default-deny")
		get(t, objs, "ResourceQuota", ns, "tenant-quota")
	}

	var sales appsv1.Deployment
	toTyped(t, get(t, objs, "Deployment", "ameide-apps", "sales"), &sales)
	c := sales.Spec.Template.Spec.Containers[0]
	if c.Image != "ghcr.io/ameide/sales:0.1.0" || *sales.Spec.Replicas != 2 {
		t.Errorf("sales Deployment image %s replicas %d", c.Image, *sales.Spec.Replicas)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if ref := env["AMEIDE_POSTGRES_URL"].ValueFrom; ref == nil || ref.SecretKeyRef.Name != "sales-db" || ref.SecretKeyRef.Key != "url" {
		t.Errorf("sales database env = %+v", env["AMEIDE_POSTGRES_URL"])
	}
	if env["AMEIDE_TOKEN_ISSUER"].Value != "https://id.ameide.example/realms/ameide" || env["AMEIDE_JWKS_URL"].Value == "" {
		t.Errorf("token verification env = %+v %+v", env["AMEIDE_TOKEN_ISSUER"], env["AMEIDE_JWKS_URL"])
	}
	if env["OTEL_EXPORTER_OTLP_ENDPOINT"].Value != "http://otel-collector.observability.svc:4317" {
		t.Errorf("OTel endpoint env = %+v", env["OTEL_EXPORTER_OTLP_ENDPOINT"])
	}
	jobs := 0
	for _, o := range objs {
		if o.GetKind() == "Job" && strings.HasPrefix(o.GetName(), "sales-migrate-") {
			jobs++
		}
	}
	if jobs != 1 {
		t.Errorf("%d sales migration Jobs, want 1", jobs)
	}
	get(t, objs, "ServiceMonitor", "ameide-apps", "sales")
	get(t, objs, "NetworkPolicy", "ameide-apps", "sales")

	def := get(t, objs, "ConfigMap", "ameide-apps", "order-to-cash-definition")
	if name, _, _ := unstructured.NestedString(def.Object, "data", "definitionName"); name != "order-to-cash" {
		t.Errorf("order-to-cash definition ConfigMap names %q", name)
	}
	route := get(t, objs, "HTTPRoute", "ameide-apps", "console")
	if hosts, _, _ := unstructured.NestedStringSlice(route.Object, "spec", "hostnames"); strings.Join(hosts, ",") != "console.ameide.example" {
		t.Errorf("console hostnames = %v", hosts)
	}
	if !strings.Contains(stdout, "# Source: "+filepath.Join(examples, "sales-domain.yaml")+" document 1 (Domain ameide-apps/sales)") {
		t.Errorf("output does not say where each child comes from")
	}
}

func toTyped(t *testing.T, u *unstructured.Unstructured, out interface{}) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		t.Fatal(err)
	}
}

const goodDomain = `apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: good}
spec:
  image: ghcr.io/ameide/good:1.0.0
  version: 1.0.0
  database: {secretRef: {name: good-db, key: url}}
`

const badDomain = `apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: bad, namespace: team-a}
spec:
  image: ghcr.io/ameide/bad:1.0.0
  version: 1.0.0
  database: {mode: cnpg}
`

// One bad document refuses the whole file, names it, and prints nothing.
func TestRenderRefusesAMultiDocumentFileWithOneBadDocument(t *testing.T) {
	file := filepath.Join(t.TempDir(), "primitives.yaml")
	content := "# leading comment\n---\n" + goodDomain + "---\n" + badDomain + "---\n" + strings.Replace(goodDomain, "name: good}", "name: also-good}", 1)
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "", "-f", file)
	if code != rendercmd.ExitInvalid {
		t.Fatalf("exit %d, want %d; stderr %s", code, rendercmd.ExitInvalid, stderr)
	}
	if stdout != "" {
		t.Errorf("printed children although a document was refused:\n%s", stdout)
	}
	want := file + " document 2 (Domain team-a/bad): spec.database.cluster: Invalid value: database.cluster is required when database.mode is cnpg"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q\nwant it to contain %q", stderr, want)
	}
	if strings.Contains(stderr, "document 1") || strings.Contains(stderr, "document 3") {
		t.Errorf("stderr blames a good document: %s", stderr)
	}

	// Without the bad document both good ones render, into namespace -n.
	good := filepath.Join(t.TempDir(), "good.yaml")
	_ = os.WriteFile(good, []byte(goodDomain+"---\n"+strings.Replace(goodDomain, "name: good}", "name: also-good}", 1)), 0o644)
	code, stdout, stderr = run(t, "", "-f", good, "-n", "team-b")
	if code != rendercmd.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	objs := parse(t, stdout)
	get(t, objs, "Deployment", "team-b", "good")
	get(t, objs, "Deployment", "team-b", "also-good")
}

func TestRenderReadsStdinAndLists(t *testing.T) {
	list := "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSpace(goodDomain), "\n", "\n  ") + "\n- " +
		strings.ReplaceAll(strings.TrimSpace(strings.Replace(badDomain, "{mode: cnpg}", "{mode: cnpg, cluster: pg}", 1)), "\n", "\n  ") + "\n"
	code, stdout, stderr := run(t, list, "-f", "-", "--capabilities", "cnpg")
	if code != rendercmd.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	objs := parse(t, stdout)
	get(t, objs, "Deployment", "default", "good")
	get(t, objs, "Database", "team-a", "bad")
	if !strings.Contains(stdout, "# Source: <stdin> document 1 item 2 (Domain team-a/bad)") {
		t.Errorf("List items are not named by position")
	}
}

func TestRenderRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no input", nil, rendercmd.ExitUsage, "no input"},
		{"unknown flag", []string{"--frobnicate"}, rendercmd.ExitUsage, "flag provided but not defined: -frobnicate"},
		{"unknown capability", []string{"-f", "x.yaml", "--capabilities", "cnpg,istio"}, rendercmd.ExitUsage, `unknown capability "istio"`},
		{"positional argument", []string{"x.yaml"}, rendercmd.ExitUsage, `unexpected argument "x.yaml"`},
		{"stdin twice", []string{"-f", "-", "-f", "-"}, rendercmd.ExitUsage, "only once"},
		{"missing file", []string{"-f", filepath.Join(dir, "nope.yaml")}, rendercmd.ExitInvalid, "no such file"},
		{"not YAML", []string{"-f", write("broken.yaml", "kind: [\n")}, rendercmd.ExitInvalid, "broken.yaml: document 1 is not valid YAML"},
		{"duplicate key", []string{"-f", write("dup.yaml", goodDomain+"spec: {}\n")}, rendercmd.ExitInvalid, "document 1 is not valid YAML"},
		{"empty file", []string{"-f", write("empty.yaml", "# nothing\n---\n")}, rendercmd.ExitInvalid, "no YAML documents"},
		{"not a primitive", []string{"-f", write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")}, rendercmd.ExitInvalid, "cm.yaml document 1 (ConfigMap x): kind \"ConfigMap\" of apiVersion \"v1\" is not an Ameide primitive kind"},
		{"enum", []string{"-f", write("sku.yaml", "apiVersion: ameide.io/v1alpha1\nkind: AmeideTenant\nmetadata: {name: t}\nspec: {id: t, sku: Gold}\n")}, rendercmd.ExitInvalid,
			`sku.yaml document 1 (AmeideTenant t): spec.sku: Unsupported value: "Gold": supported values: "Shared", "Namespace", "Private"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr = %q, want %q", stderr, c.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q on a refusal", stdout)
			}
		})
	}
}

// A schema error keeps the CEL rules from running, as on the API server;
// the note saying so is printed without the API server's "<nil>" field.
func TestRenderSaysWhenCELRulesWereNotChecked(t *testing.T) {
	doc := strings.Replace(badDomain, "version: 1.0.0", "version: 1.0.0\n  tenantMode: weird", 1)
	code, _, stderr := run(t, doc, "-f", "-")
	if code != rendercmd.ExitInvalid {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `spec.tenantMode: Unsupported value: "weird"`) ||
		!strings.HasSuffix(lines[1], "(Domain team-a/bad): some validation rules were not checked because the object was invalid; correct the existing errors to complete validation") {
		t.Errorf("stderr = %s", stderr)
	}
}

// A directory stands for its YAML files in name order: the examples
// folder renders exactly as its files named one by one.
func TestRenderReadsADirectory(t *testing.T) {
	code, fromDir, stderr := run(t, "", "-f", examples, "--capabilities", "all")
	if code != rendercmd.ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	args := []string{"--capabilities", "all"}
	for _, f := range exampleFiles(t) {
		args = append(args, "-f", f)
	}
	_, fromFiles, _ := run(t, "", args...)
	if fromDir != fromFiles || fromDir == "" {
		t.Errorf("-f %s differs from naming its files", examples)
	}
	code, _, stderr = run(t, "", "-f", t.TempDir())
	if code != rendercmd.ExitInvalid || !strings.Contains(stderr, "a directory without") {
		t.Errorf("empty directory: exit %d, %s", code, stderr)
	}
}

func TestRenderHelp(t *testing.T) {
	for _, flagName := range []string{"-h", "--help"} {
		code, stdout, _ := run(t, "", flagName)
		if code != rendercmd.ExitOK || !strings.Contains(stdout, "Usage: ameide-operator render -f FILE") || !strings.Contains(stdout, "--capabilities") {
			t.Errorf("%s: exit %d, stdout %q", flagName, code, stdout)
		}
	}
}
