#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries the operator tests (envtest) and
# the simulated cluster use, from the Go module proxy, once per machine, into
#   ${XDG_CACHE_HOME:-~/.cache}/ameide/k8s/<version>/bin
# and prints that directory. Binaries already there are reused; each one is
# built into a private folder and renamed into place, so concurrent runs never
# see half a binary.
#
#   operators/hack/control-plane.sh [binary ...]
#     binaries: kube-apiserver etcd kubectl kube-controller-manager kube-scheduler kwok
#     default:  kube-apiserver etcd kubectl
set -euo pipefail

K8S_VERSION=${AMEIDE_K8S_VERSION:-v1.37.2}
ETCD_VERSION=${AMEIDE_ETCD_VERSION:-v3.7.3}
KWOK_VERSION=${AMEIDE_KWOK_VERSION:-v0.8.0}
staging_version="v0${K8S_VERSION#v1}"   # v1.37.2 -> v0.37.2
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ameide/k8s/$K8S_VERSION
bin=$cache/bin
mkdir -p "$bin"

say() { echo "ameide control-plane: $*" >&2; }

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(kube-apiserver etcd kubectl)

k8s_module() {
  local dir=$cache/src/kubernetes
  [ -f "$dir/go.mod" ] && { echo "$dir"; return; }
  mkdir -p "$dir"
  local mod=$dir/.go.mod.tmp
  {
    echo "module ameide.io/k8s-control-plane"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    local m
    for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider \
      cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api \
      cri-client cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice externaljwt \
      kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics \
      mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller streaming; do
      echo "	k8s.io/$m => k8s.io/$m $staging_version"
    done
    echo ")"
  } >"$mod"
  mv "$mod" "$dir/go.mod"
  echo "$dir"
}

etcd_module() {
  local dir=$cache/src/etcd
  [ -f "$dir/go.mod" ] && { echo "$dir"; return; }
  mkdir -p "$dir"
  printf 'module ameide.io/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod.tmp"
  mv "$dir/go.mod.tmp" "$dir/go.mod"
  echo "$dir"
}

build() { # name moduledir package [ldflags]
  local name=$1 dir=$2 pkg=$3 ldflags=${4:-}
  local tmp
  tmp=$(mktemp -d "$bin/.build-$name-XXXX")
  local t0=$SECONDS
  say "building $name ($pkg) — first run only, this takes minutes..."
  (cd "$dir" && GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w $ldflags" -o "$tmp/$name" "$pkg")
  mv "$tmp/$name" "$bin/$name"
  rmdir "$tmp"
  say "$name built in $((SECONDS - t0)) s"
}

version_ldflags() {
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
      "$p" "$K8S_VERSION" "$p" "$p" "$minor" "$p"
  done
}

for name in "${wanted[@]}"; do
  [ -x "$bin/$name" ] && continue
  command -v go >/dev/null || { say "Go is needed to build $name (install Go 1.26)"; exit 1; }
  case $name in
    kube-apiserver | kube-controller-manager | kube-scheduler | kubectl)
      build "$name" "$(k8s_module)" "k8s.io/kubernetes/cmd/$name" "$(version_ldflags)" ;;
    etcd)
      build etcd "$(etcd_module)" go.etcd.io/etcd/server/v3 ;;
    kwok)
      tmp=$(mktemp -d "$bin/.build-kwok-XXXX")
      say "building kwok $KWOK_VERSION..."
      GOBIN=$tmp GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
      mv "$tmp/kwok" "$bin/kwok"; rmdir "$tmp" ;;
    *) say "unknown binary $name"; exit 2 ;;
  esac
done
echo "$bin"
