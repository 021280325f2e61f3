#!/usr/bin/env bash
# Static checks CI runs before the tests: types, lint, format, Buf lint and
# breaking-change check, generated code freshness, architecture guards.
set -euo pipefail
cd "$(dirname "$0")/.."

# Two commands, not `a && b`: under `set -e` a failing left side of && does not stop the script.
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p apps/console/tsconfig.json --noEmit
echo "== lint"; npx eslint --max-warnings 0 .
echo "== format"; npx prettier --check . > /dev/null || { npx prettier --check . ; exit 1; }
echo "== buf lint"; npx buf lint
echo "== buf breaking (against the previous commit of main)"
if git rev-parse -q --verify HEAD~1 >/dev/null && git cat-file -e HEAD~1:proto 2>/dev/null; then
  npx buf breaking --against ".git#ref=HEAD~1,subdir=proto"
else
  echo "no previous commit with proto/; skipped"
fi
echo "== generated code is fresh"
# One run writes TypeScript, the Go SDK and the Python SDK (buf.gen.yaml); the
# Go and Python plugins are installed at pinned versions on first use.
npx buf generate
# The Connect conformance protos (server conformance test) have their own template.
conformance=packages/server/src/conformance
npx buf generate "$conformance/proto" --template "$conformance/buf.gen.yaml"
for gen in packages/proto/src/gen sdk/go/gen sdk/python/gen "$conformance/gen"; do
  if ! git diff --quiet --exit-code -- "$gen" || [ -n "$(git ls-files --others --exclude-standard "$gen")" ]; then
    echo "$gen is stale: run 'npm run proto:gen' (or the command in $conformance/buf.gen.yaml) and commit the result" >&2
    git --no-pager diff --stat -- "$gen" >&2
    exit 1
  fi
done
echo "== Go SDK: gofmt, go vet, staticcheck"
unformatted=$(cd sdk/go && gofmt -l .)
if [ -n "$unformatted" ]; then echo "gofmt would change (run gofmt -w in sdk/go): $unformatted" >&2; exit 1; fi
staticcheck=$(node -e "import('./scripts/ensure.mjs').then((m) => process.stdout.write(m.ensureStaticcheck()))")
(cd sdk/go && go vet ./... && "$staticcheck" ./...)
echo "== operators: CRDs/deepcopy/RBAC generated from the Go types are fresh, gofmt, go vet, staticcheck"
bash operators/hack/generate.sh --check
unformatted=$(cd operators && gofmt -l .)
if [ -n "$unformatted" ]; then echo "gofmt would change (run gofmt -w in operators): $unformatted" >&2; exit 1; fi
(cd operators && go vet ./... && "$staticcheck" ./...)
echo "== Helm chart and example primitives: helm lint, helm template | kubeconform -strict, chart tests"
# deploy/hack/check-chart.sh says what it checks; helm, kubeconform and the Kubernetes schemas are
# built once per machine into the Ameide cache (no network).
bash deploy/hack/check-chart.sh
echo "== guards"; node scripts/guards.mjs
echo "checks passed"
