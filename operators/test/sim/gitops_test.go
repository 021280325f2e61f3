package sim_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// deploy/gitops (the ApplicationSet, the AppProject and the per-environment
// Applications) is accepted by an API server serving Argo CD's own CRDs
// (server-side dry-run: structural schema, defaults, no unknown fields), and
// a broken copy is refused naming the field.
func TestGitOpsManifestsAgainstArgoCDCRDs(t *testing.T) {
	requireEnv(t)
	out, err := exec.Command("bash", filepath.Join(env.Root, "deploy", "hack", "third-party-crds.sh"), "argocd").Output()
	if err != nil {
		t.Fatalf("third-party-crds.sh argocd: %v", err)
	}
	args := []string{"apply", "--server-side"}
	for _, f := range strings.Fields(string(out)) {
		args = append(args, "-f", f)
	}
	kubectl(t, "", args...)
	// kubectl wait fails at once on a CRD whose status has no conditions yet.
	eventually(t, "Argo CD CRDs Established", func() error {
		_, err := env.Kubectl("", "wait", "--for=condition=Established", "--timeout=10s",
			"crd/applications.argoproj.io", "crd/applicationsets.argoproj.io", "crd/appprojects.argoproj.io")
		return err
	})
	kubectl(t, "", "create", "namespace", "argocd")
	got := kubectl(t, "", "apply", "--dry-run=server", "--validate=strict", "-R", "-f", filepath.Join(env.Root, "deploy", "gitops"))
	for _, want := range []string{"applicationset.argoproj.io/ameide-environments", "appproject.argoproj.io/ameide",
		"application.argoproj.io/ameide-operator-dev", "application.argoproj.io/ameide-primitives-prod",
		"application.argoproj.io/ameide-operator-staging"} {
		if !strings.Contains(got, want) {
			t.Errorf("dry-run apply did not accept %s:\n%s", want, got)
		}
	}
	broken := strings.Replace(readFile(t, filepath.Join(env.Root, "deploy", "gitops", "applicationset.yaml")),
		"goTemplate: true", "goTemplate: true\n  generatorz: []", 1)
	if msg, err := env.Kubectl(broken, "apply", "--dry-run=server", "--validate=strict", "-f", "-"); err == nil ||
		!strings.Contains(msg, "generatorz") {
		t.Errorf("an ApplicationSet with an unknown field: err %v, output %s; want a refusal naming spec.generatorz", err, msg)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
