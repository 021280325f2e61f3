#!/usr/bin/env bash
# Regenerates what controller-gen derives from the Go types:
#   operators/api/v1alpha1/zz_generated.deepcopy.go
#   deploy/crds/ameide.io_*.yaml           (the CRDs; the Helm chart copies them)
#   operators/config/crd/ameide.io_*.yaml  (the same CRDs, embedded by package crd for
#                                           offline validation: go:embed cannot reach ../deploy)
#   operators/config/rbac/role.yaml        (ClusterRole from +kubebuilder:rbac markers)
#   and, through deploy/hack/chart-sync.sh, the Helm chart's copies of both
# controller-gen is built once per machine into the Ameide tool cache.
# `--check` regenerates into a temporary copy and fails when the committed
# files differ (CI runs it from scripts/check.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
CONTROLLER_TOOLS_VERSION=v0.23.0
tools=${XDG_CACHE_HOME:-$HOME/.cache}/ameide/bin/controller-gen-$CONTROLLER_TOOLS_VERSION
gen=$tools/controller-gen
if [ ! -x "$gen" ]; then
  echo "ameide: building controller-gen $CONTROLLER_TOOLS_VERSION (first run only)..." >&2
  mkdir -p "$tools"
  tmp=$(mktemp -d "$tools/.build-XXXX")
  GOBIN=$tmp GOFLAGS=-mod=mod go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION"
  mv "$tmp/controller-gen" "$gen"
  rmdir "$tmp"
fi

generate() { # out-root
  local out=$1
  (cd "$here" && "$gen" object:headerFile=hack/boilerplate.go.txt paths=./api/... \
    output:object:dir="$out/operators/api/v1alpha1")
  (cd "$here" && "$gen" crd:crdVersions=v1 rbac:roleName=ameide-operator paths=./... \
    output:crd:dir="$out/deploy/crds" output:rbac:dir="$out/operators/config/rbac")
  cp "$out"/deploy/crds/ameide.io_*.yaml "$out/operators/config/crd/"
}

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/operators/api/v1alpha1" "$tmp/deploy/crds" "$tmp/operators/config/rbac" "$tmp/operators/config/crd"
  generate "$tmp"
  stale=0
  for f in operators/api/v1alpha1/zz_generated.deepcopy.go operators/config/rbac/role.yaml; do
    [ ! -e "$tmp/$f" ] && [ ! -e "$repo/$f" ] && continue # e.g. no +kubebuilder:rbac markers yet
    cmp -s "$tmp/$f" "$repo/$f" || { echo "stale: $f (run operators/hack/generate.sh)" >&2; stale=1; }
  done
  if ! diff -r "$tmp/deploy/crds" "$repo/deploy/crds" >/dev/null; then
    echo "stale: deploy/crds (run operators/hack/generate.sh)" >&2; stale=1
  fi
  # The embedded copy: only the generated YAML is compared (embed.go lives beside it).
  if ! diff -r -x embed.go -x '*_test.go' "$tmp/operators/config/crd" "$repo/operators/config/crd" >/dev/null; then
    echo "stale: operators/config/crd (run operators/hack/generate.sh)" >&2; stale=1
  fi
  exit $stale
fi
rm -f "$repo"/deploy/crds/ameide.io_*.yaml "$repo"/operators/config/crd/ameide.io_*.yaml
mkdir -p "$repo/deploy/crds" "$repo/operators/config/rbac" "$repo/operators/config/crd"
generate "$repo"
# The Helm chart carries copies of the CRDs and the ClusterRole's rules.
if [ -x "$repo/deploy/hack/chart-sync.sh" ]; then bash "$repo/deploy/hack/chart-sync.sh"; fi
