#!/usr/bin/env bash
# The whole test suite, as README and CI run it: installs what is missing, then runs
# every test in release mode (the numeric tests are many times slower in debug).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift test -c release "$@"
