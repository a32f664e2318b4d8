#!/usr/bin/env bash
# Quick start, command 2 (and CI's .ci/run): install, build and run every test of the workspace,
# then print one line `N passed, M failed` summing every test runner's JSON report.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
bash scripts/ensure-tools.sh --native-tests
pnpm install --frozen-lockfile
find . -path ./node_modules -prune -o -type d -name .test-results -print0 | xargs -0 rm -rf
status=0
pnpm exec turbo run build typecheck test test:native test:fuzz lint:package --concurrency=1 --continue "$@" || status=$?
node scripts/summarize-tests.mjs || status=1
exit $status
