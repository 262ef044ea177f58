#!/usr/bin/env bash
# The whole test suite, as README and CI run it: installs what is missing, then runs
# every test in release mode (the numeric tests are many times slower in debug). The
# suite is XCTest only; its per-test results are repeated as one closing
# "N passed, N failed, N skipped" line, after the names of the skipped tests.
#
# Tests that need a resource the suite cannot make (the MiniLM model, the shared data,
# the openCypher TCK, the CLI binary) skip when it is missing on a developer's machine.
# Under CI (CI=true, or LEXGRAPH_REQUIRE_ALL=1, which .ci/run sets) they fail instead,
# and any skip that remains fails the run: a green CI run has run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
if [[ "${CI:-}" == "true" ]]; then export LEXGRAPH_REQUIRE_ALL=1; fi
# The PostgreSQL dialect tests run against a real server: Debian's PostgreSQL 15 (from
# apt when missing), started on a loopback port in a throwaway folder and stopped after.
if [ ! -x "${LEXGRAPH_PG_BIN:-/usr/lib/postgresql/15/bin}/initdb" ]; then
  echo "test: installing postgresql with apt" >&2
  SUDO=""; if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
log=$(mktemp)
trap 'tools/pg_test_server.sh stop; rm -f "$log"' EXIT
eval "$(tools/pg_test_server.sh start)"
set +e
swift test -c release --disable-swift-testing "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One "Test Case '<name>' passed|failed|skipped (<time> seconds)" line per test: counting
# these counts tests (XCTest's own "with N failures" counts failed assertions).
passed=$(grep -cE "^Test Case '[^']+' passed \(" "$log" || true)
failed=$(grep -cE "^Test Case '[^']+' failed \(" "$log" || true)
skipped=$(grep -cE "^Test Case '[^']+' skipped \(" "$log" || true)
if (( skipped > 0 )); then
  echo "skipped tests:"
  grep -E "^Test Case '[^']+' skipped \(" "$log" | sed -E "s/^Test Case '([^']+)' skipped.*/  \1/"
  # The reasons XCTest printed ("<file>:<line>: <test> : Test skipped - <reason>").
  grep -E ": Test skipped" "$log" | sed -E 's/^/    /' || true
fi
echo "$passed passed, $failed failed, $skipped skipped"
if (( status == 0 && skipped > 0 )) && [[ "${LEXGRAPH_REQUIRE_ALL:-}" == "1" ]]; then
  echo "error: $skipped test(s) skipped under LEXGRAPH_REQUIRE_ALL=1 (CI): every test must run" >&2
  status=1
fi
exit "$status"
