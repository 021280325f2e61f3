// Package crd embeds the CustomResourceDefinitions of the ameide.io API
// group, byte for byte the ones under deploy/crds (operators/hack/generate.sh
// writes both copies and its --check mode fails when either is stale). The
// offline validator reads them so `ameide-operator render` judges a CR by the
// very schema the API server would.
package crd

import "embed"

// Files holds ameide.io_<plural>.yaml, one CRD per file.
//
//go:embed ameide.io_*.yaml
var Files embed.FS
