#!/usr/bin/env bash
# Static checks of the ameide-operator Helm chart and the example primitives (scripts/check.sh
# runs this; no cluster needed, no network: the tools and the Kubernetes schemas are built and
# cached once per machine by deploy/hack/tools.sh and deploy/hack/kube-schemas.sh).
#   1. the chart's CRDs and ClusterRole are what controller-gen generated (chart-sync --check)
#   2. helm lint --strict, with the default values and every ci/*-values.yaml
#   3. helm template (CRDs included) | kubeconform -strict, against the real kube-apiserver's
#      schemas for the built-in kinds and the CRDs' own schemas, for each of those values
#   4. examples/primitives/*.yaml | kubeconform -strict against the same schemas, and the Argo CD
#      ApplicationSet/Applications of deploy/gitops against Argo CD's CRD schemas
#   5. the chart's Go tests (operators/test/chart): no wildcard in any RBAC rule, the ClusterRole's
#      rules equal operators/config/rbac/role.yaml, the manager Deployment's shape, refused values
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
chart=$repo/deploy/charts/ameide-operator
K8S_VERSION=${AMEIDE_K8S_VERSION:-v1.37.2}
cd "$repo"

helm=$(bash deploy/hack/tools.sh helm)
kubeconform=$(bash deploy/hack/tools.sh kubeconform)
builtin=$(bash deploy/hack/kube-schemas.sh)
crds=$(mktemp -d)
trap 'rm -rf "$crds"' EXIT
(cd operators && go run ./hack/kube-schemas crd -out "$crds" "$repo"/deploy/crds/*.yaml)

validate() { # label, reads manifests on stdin
  "$kubeconform" -strict -summary -kubernetes-version "${K8S_VERSION#v}" \
    -schema-location "$builtin/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$crds/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -output text - | sed "s|^|  $1: |"
}

echo "-- chart copies of the generated CRDs and ClusterRole"
bash deploy/hack/chart-sync.sh --check

variants=(default)
for f in "$chart"/ci/*-values.yaml; do
  variants+=("$(basename "$f" -values.yaml)")
done
for v in "${variants[@]}"; do
  values=()
  [ "$v" = default ] || values=(--values "$chart/ci/$v-values.yaml")
  echo "-- helm lint + helm template | kubeconform ($v values)"
  "$helm" lint --strict --quiet "$chart" "${values[@]}" --kube-version "$K8S_VERSION" --namespace ameide-system
  "$helm" template ameide-operator "$chart" "${values[@]}" --namespace ameide-system --include-crds \
    --kube-version "$K8S_VERSION" | validate "$v"
done

if compgen -G "examples/primitives/*.yaml" >/dev/null; then
  echo "-- examples/primitives | kubeconform"
  for f in examples/primitives/*.yaml; do
    validate "$f" <"$f"
  done
fi

if [ -d deploy/gitops ]; then
  echo "-- deploy/gitops | kubeconform against Argo CD's CRD schemas"
  (cd operators && go run ./hack/kube-schemas crd -out "$crds" $(bash "$repo"/deploy/hack/third-party-crds.sh argocd)) >/dev/null
  for f in $(find deploy/gitops -name '*.yaml' | sort); do
    validate "$f" <"$f"
  done
fi

echo "-- chart tests (operators/test/chart)"
(cd operators && go test -count=1 ./test/chart/)
