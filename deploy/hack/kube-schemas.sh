#!/usr/bin/env bash
# JSON schemas for kubeconform, made without the network and cached once per machine:
#   ${XDG_CACHE_HOME:-~/.cache}/ameide/kube-schemas/<k8s version>-<key>/
# holds one strict, standalone schema per kind, named "{{ .ResourceKind }}{{ .KindSuffix }}.json":
#   - every built-in kind, from the OpenAPI v3 documents of the real kube-apiserver
#     (operators/hack/control-plane.sh builds it; envtest starts it for a few seconds);
#   - the prometheus-operator ServiceMonitor (the chart's optional one), from the upstream CRD at
#     the version deploy/hack/third-party-crds.sh pins.
# The key hashes the converter (operators/hack/kube-schemas) and that script, so a change to
# either makes a new directory. The ameide.io CRD schemas are not cached: scripts convert
# deploy/crds on every run (`go run ./hack/kube-schemas crd`), so they are never stale.
# Prints the directory; progress goes to stderr.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
K8S_VERSION=${AMEIDE_K8S_VERSION:-v1.37.2}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ameide/kube-schemas
key=$(cat "$repo/operators/hack/kube-schemas/main.go" "$repo/deploy/hack/third-party-crds.sh" | sha256sum | cut -c1-12)
dir=$cache/$K8S_VERSION-$key
say() { echo "ameide kube-schemas: $*" >&2; }

if [ ! -f "$dir/.complete" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.build-XXXX")
  trap 'rm -rf "$tmp"' EXIT
  t0=$SECONDS
  say "generating the Kubernetes $K8S_VERSION schemas (first run only)..."
  assets=$(bash "$repo/operators/hack/control-plane.sh" kube-apiserver etcd)
  (cd "$repo/operators" && KUBEBUILDER_ASSETS=$assets go run ./hack/kube-schemas builtin -out "$tmp/schemas")

  say "converting the prometheus-operator ServiceMonitor CRD..."
  servicemonitor=$(bash "$repo/deploy/hack/third-party-crds.sh" prometheus)
  (cd "$repo/operators" && go run ./hack/kube-schemas crd -out "$tmp/schemas" "$servicemonitor")

  touch "$tmp/schemas/.complete"
  # Another run may have finished first; its copy is as good as ours.
  mv -T "$tmp/schemas" "$dir" 2>/dev/null || [ -f "$dir/.complete" ]
  say "schemas in $dir ($((SECONDS - t0)) s)"
fi
echo "$dir"
