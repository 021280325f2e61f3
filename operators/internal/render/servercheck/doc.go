// Package servercheck holds no code, only the suite that holds the render
// layer to a real kube-apiserver and etcd (envtest; KUBEBUILDER_ASSETS from
// operators/hack/control-plane.sh, skipped with -short):
//
//   - the offline validator (package validate) and the API server refuse
//     the same CRs, naming the same field, and default accepted ones alike;
//   - every child render produces is accepted by server-side apply, and
//     applying it again changes nothing (no drift the reconciler would
//     chase forever); ServiceMonitor, HTTPRoute and CNPG Database children
//     too, against the projects' own CRDs at the versions
//     deploy/hack/third-party-crds.sh pins (when that script is present).
//
// It lives apart from package render so the render unit tier needs no
// binaries; `go test -short ./internal/...` skips this suite.
package servercheck
