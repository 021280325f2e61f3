#!/usr/bin/env bash
# The cluster tools the chart checks and the admission test run, built once
# per machine with `go install <pkg>@<version>` into
#   ${XDG_CACHE_HOME:-~/.cache}/ameide/bin/<tool>-<version>/<tool>
# (the same cache and layout scripts/ensure.mjs uses for the Connect
# conformance runner) and reused by every run. Each is built into a private
# folder and renamed into place, so runs that start together never see half a
# binary. Prints the path of each tool asked for, one per line; build output
# goes to stderr.
#
#   deploy/hack/tools.sh helm|kubeconform ...
#
# AMEIDE_HELM / AMEIDE_KUBECONFORM name a binary to use instead.
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ameide/bin

say() { echo "ameide tools: $*" >&2; }

ensure() { # binary version package override [ldflags]
  local binary=$1 version=$2 pkg=$3 override=${4:-} ldflags="-s ${5:-}"
  if [ -n "$override" ]; then
    [ -x "$override" ] || { say "$override (set for $binary) is not an executable file"; exit 1; }
    echo "$override"
    return
  fi
  local dir=$cache/$binary-$version
  if [ ! -x "$dir/$binary" ]; then
    command -v go >/dev/null || { say "Go is needed to build $binary $version (install Go 1.26)"; exit 1; }
    mkdir -p "$dir"
    local tmp t0=$SECONDS
    tmp=$(mktemp -d "$dir/.build-XXXX")
    say "building $binary $version (first run only)..."
    if ! (cd "$tmp" && GOBIN=$tmp GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 \
      go install -trimpath -ldflags="$ldflags" "$pkg@$version" >&2); then
      rm -rf "$tmp"
      say "building $binary $version failed"
      exit 1
    fi
    mv "$tmp/$binary" "$dir/$binary"
    rm -rf "$tmp"
    say "$binary $version built in $((SECONDS - t0)) s: $dir/$binary"
  fi
  echo "$dir/$binary"
}

[ $# -gt 0 ] || { say "usage: $0 helm|kubeconform ..."; exit 2; }
for tool in "$@"; do
  case $tool in
    # The -X flags are what each project's release build sets. Without them `helm version`
    # says v3.22, `kubeconform -v` says development, and helm assumes Kubernetes 1.20 (its
    # Makefile sets the minor of the client-go it is built with: v0.37 -> 1.37).
    helm)
      ensure helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "${AMEIDE_HELM:-}" \
        "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION $(
          for p in pkg/chartutil pkg/lint/rules; do
            printf -- '-X helm.sh/helm/v3/%s.k8sVersionMajor=1 -X helm.sh/helm/v3/%s.k8sVersionMinor=37 ' "$p" "$p"
          done)" ;;
    kubeconform)
      ensure kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform \
        "${AMEIDE_KUBECONFORM:-}" "-X main.version=$KUBECONFORM_VERSION" ;;
    *) say "unknown tool $tool (known: helm, kubeconform)"; exit 2 ;;
  esac
done
