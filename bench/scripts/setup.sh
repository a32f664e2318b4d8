#!/usr/bin/env bash
# `pnpm bench:setup`: installs what `pnpm bench` measures against, and is a no-op when it is there.
#  - Debian packages (NEEDS ROOT, or sudo): wrk, Go + valyala/fasthttp sources, nginx, rsvg-convert, taskset;
#  - Bun and Deno from their npm packages into bench/.peers (gitignored, outside the workspace lock);
#  - the Go servers, built in GOPATH mode over Debian's packaged sources into bench/.peers/go.
set -euo pipefail
cd "$(dirname "$0")/.."
BUN_VERSION=1.4.5
DENO_VERSION=2.9.6
DEBS=(wrk golang-go golang-github-valyala-fasthttp-dev nginx librsvg2-bin util-linux)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then as_root=(); elif command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "bench setup: need root to install Debian packages: ${missing[*]}" >&2
    echo "  run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bench setup: installing Debian packages: ${missing[*]}" >&2
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}"
fi

have() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*' | head -1)" = "$2" ]; }
if ! have .peers/node_modules/bun/bin/bun.exe "$BUN_VERSION" || ! have .peers/node_modules/deno/deno "$DENO_VERSION"; then
  echo "bench setup: installing bun@$BUN_VERSION and deno@$DENO_VERSION into bench/.peers" >&2
  mkdir -p .peers
  npm install --no-save --no-package-lock --no-audit --no-fund --prefix .peers "bun@$BUN_VERSION" "deno@$DENO_VERSION"
fi

for name in go-nethttp go-fasthttp; do
  echo "bench setup: building servers/$name" >&2
  (cd "servers/$name" && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= go build -o "../../.peers/go/$name" .)
done
echo "bench setup: done. Run: pnpm bench   (or pnpm bench --quick)" >&2
