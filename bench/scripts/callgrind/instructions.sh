#!/usr/bin/env bash
# Instructions per request of a jato tree's server (whole process, exact counts from callgrind):
# two runs serving N1 and N2 pipelined requests; (Ir(N2) - Ir(N1)) / (N2 - N1) removes start-up and
# warm-up. V8 runs single-threaded with fixed seeds and no memory reducer so that the runs differ only
# by the requests. A/B: run it on two trees (e.g. a `git worktree add --detach` of the base commit).
# usage: bench/scripts/callgrind/instructions.sh <tree> [hello|mw|mwnoctx] [path] [N1] [N2]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tree=$(cd "${1:?tree}" && pwd); app=${2:-hello}; target=${3:-/}; n1=${4:-20000}; n2=${5:-50000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ir() {
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" node --single-threaded --no-memory-reducer \
    --hash-seed=7 --random-seed=7 "$here/server.mjs" "$tree" "$app" > "$work/log" 2> "$work/err" &
  local vp=$!
  for _ in $(seq 1 600); do grep -q PORT "$work/log" 2>/dev/null && break; sleep 0.2; done
  node "$here/client.mjs" "$(awk '/PORT/{print $2}' "$work/log")" "$target" "$1"
  kill -TERM $vp; wait $vp || true
  local total; total=$(grep -h '^summary' "$work"/cg.* | awk '{s += $2} END {print s}')
  rm -f "$work"/cg.*
  echo "$total"
}
a=$(ir "$n1"); b=$(ir "$n2")
echo "$(basename "$tree") $app $target: $(( (b - a) / (n2 - n1) )) instructions/request (Ir $n1: $a, Ir $n2: $b)"
