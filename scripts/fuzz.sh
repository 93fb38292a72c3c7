#!/usr/bin/env bash
# Runs every fuzz target for a short while (FUZZTIME, default 30s each),
# found by `go test -list`: FuzzWriteRoutes (every API write route's JSON
# decoder and handler), FuzzDecodeBookingRequest, the room and domain
# targets and any added later. FUZZPARALLEL bounds the workers (default 2:
# the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-30s}
p=${FUZZPARALLEL:-2}
for pkg in $(go list ./...); do
  for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -parallel "$p" "$pkg"
  done
done
