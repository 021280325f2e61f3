#!/usr/bin/env bash
# JSON schemas for kubeconform, made without the network and cached once per machine:
#   ${XDG_CACHE_HOME:-~/.cache}/ameide/kube-schemas/<k8s version>-<key>/
# holds one strict, standalone schema per kind, named "{{ .ResourceKind }}{{ .KindSuffix }}.json":
#   - every built-in kind, from the OpenAPI v3 documents of the real kube-apiserver
#     (operators/hack/control-plane.sh builds it; envtest starts it for a few seconds);
#   - the prometheus-operator kinds (ServiceMonitor, ...), from CRDs that controller-gen generates
#     from their Go API module (github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring,
#     the types upstream generates its own CRDs from).
# The key hashes the converter (operators/hack/kube-schemas) and these versions, so a change to
# either makes a new directory. The ameide.io CRD schemas are not cached: scripts convert
# deploy/crds on every run (`go run ./hack/kube-schemas crd`), so they are never stale.
# Prints the directory; progress goes to stderr.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
K8S_VERSION=${AMEIDE_K8S_VERSION:-v1.37.2}
MONITORING_VERSION=v0.95.2
CONTROLLER_TOOLS_VERSION=v0.23.0
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ameide/kube-schemas
key=$({ cat "$repo/operators/hack/kube-schemas/main.go"; echo "$MONITORING_VERSION $CONTROLLER_TOOLS_VERSION"; } |
  sha256sum | cut -c1-12)
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

  say "generating the prometheus-operator $MONITORING_VERSION CRDs with controller-gen..."
  gen=${XDG_CACHE_HOME:-$HOME/.cache}/ameide/bin/controller-gen-$CONTROLLER_TOOLS_VERSION/controller-gen
  if [ ! -x "$gen" ]; then
    # operators/hack/generate.sh builds controller-gen into the same place.
    mkdir -p "$(dirname "$gen")"
    b=$(mktemp -d "$(dirname "$gen")/.build-XXXX")
    GOBIN=$b GOFLAGS=-mod=mod go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION"
    mv "$b/controller-gen" "$gen"
    rmdir "$b"
  fi
  mod=$tmp/monitoring
  mkdir -p "$mod"
  printf 'module ameide.io/monitoring-crds\n\ngo 1.26\n' >"$mod/go.mod"
  printf 'package crds\n\nimport _ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"\n' >"$mod/doc.go"
  (cd "$mod" && GOFLAGS=-mod=mod go get \
    "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring@$MONITORING_VERSION" >&2 &&
    GOFLAGS=-mod=mod go mod tidy >&2 &&
    "$gen" crd:crdVersions=v1 paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 \
      output:crd:dir="$mod/crds")
  (cd "$repo/operators" && go run ./hack/kube-schemas crd -out "$tmp/schemas" "$mod"/crds/*.yaml)

  touch "$tmp/schemas/.complete"
  # Another run may have finished first; its copy is as good as ours.
  mv -T "$tmp/schemas" "$dir" 2>/dev/null || [ -f "$dir/.complete" ]
  say "schemas in $dir ($((SECONDS - t0)) s)"
fi
echo "$dir"
