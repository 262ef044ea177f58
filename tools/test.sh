#!/usr/bin/env bash
# The whole test suite, as README and CI run it: installs what is missing, then runs
# every test in release mode (the numeric tests are many times slower in debug). The
# suite is XCTest only; its totals are repeated as one closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test -c release --disable-swift-testing "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -n 1 || true)
if [[ $summary =~ Executed\ ([0-9]+)\ tests?,\ with\ ([0-9]+)\ failure ]]; then
  echo "$((BASH_REMATCH[1] - BASH_REMATCH[2])) passed, ${BASH_REMATCH[2]} failed"
fi
exit "$status"
