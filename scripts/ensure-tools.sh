#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine of this kind and is a no-op when it is there:
# pnpm at the pinned version (from the npm registry) and, with --native-tests, the Debian packages the
# native test suite uses (clang + libFuzzer for the fuzz targets, wrk for the bench smoke run).
set -euo pipefail
PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "jato: installing pnpm@$PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >&2
fi
if [ "${1:-}" = "--native-tests" ]; then
  missing=()
  command -v clang++ >/dev/null 2>&1 || missing+=(clang)
  [ -e /usr/lib/llvm-14/lib/libFuzzer.a ] || missing+=(libfuzzer-14-dev)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "jato: need root to install Debian packages: ${missing[*]}" >&2
      exit 1
    fi
    echo "jato: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
fi
