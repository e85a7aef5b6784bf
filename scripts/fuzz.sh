#!/usr/bin/env bash
# Run every fuzz target in the module for a while each (default 20s).
# Findings are written by go test under the package's testdata/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -fuzzminimizetime 3s "$pkg" || status=1
  done
done
exit $status
