#!/usr/bin/env bash
# Prints the paths of the third-party CRDs Ameide's children need — the
# prometheus-operator ServiceMonitor, Gateway API (standard channel), the
# CloudNativePG Database/Cluster and Argo CD's Application/ApplicationSet —
# taken from the projects' own Go modules at pinned versions (the Go module
# proxy is reachable where GitHub is not). One path per line.
#
#   deploy/hack/third-party-crds.sh [prometheus|gateway|cnpg|argocd ...]   (default: all)
set -euo pipefail
PROMETHEUS_OPERATOR_VERSION=v0.90.1
GATEWAY_API_VERSION=v1.6.3
CNPG_VERSION=v1.28.0
ARGOCD_VERSION=v3.2.0

dir() { # module@version -> its directory in the module cache (downloaded once)
  local out
  out=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$1") || {
    echo "ameide: cannot download $1 from the Go module proxy" >&2; exit 1; }
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$out"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(prometheus gateway cnpg argocd)
for w in "${want[@]}"; do
  case $w in
    prometheus)
      d=$(dir github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION)
      echo "$d/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" ;;
    gateway)
      d=$(dir sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION)
      for k in gatewayclasses gateways httproutes grpcroutes referencegrants; do
        echo "$d/config/crd/standard/gateway.networking.k8s.io_$k.yaml"
      done ;;
    cnpg)
      d=$(dir github.com/cloudnative-pg/cloudnative-pg@$CNPG_VERSION)
      for k in clusters databases; do echo "$d/config/crd/bases/postgresql.cnpg.io_$k.yaml"; done ;;
    argocd)
      d=$(dir github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION)
      for k in application applicationset appproject; do echo "$d/manifests/crds/$k-crd.yaml"; done ;;
    *) echo "ameide: unknown CRD set $w (prometheus, gateway, cnpg, argocd)" >&2; exit 2 ;;
  esac
done
