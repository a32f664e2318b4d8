#!/usr/bin/env bash
# Quick start, command 1: install everything (pnpm included), build, start apps/hello.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
bash scripts/ensure-tools.sh
pnpm install --frozen-lockfile
pnpm exec turbo run build
echo "jato: starting apps/hello (PORT=${PORT:-8080}); Ctrl-C to stop" >&2
exec node apps/hello
