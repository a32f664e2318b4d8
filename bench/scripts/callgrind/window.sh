#!/usr/bin/env bash
# Steady-state instructions per request of a jato tree's server (exact counts from callgrind), for
# A/B runs where instructions.sh's two whole-process runs differ by more than the requests (start-up
# is ~1e9 instructions and varies by tens of millions between runs on a busy machine). Instrumentation
# is off during start-up and warm-up (`--instr-atstart=no`), then switched on with callgrind_control:
# one settling window of N requests is dropped and two windows of N requests are dumped and printed.
# Two close figures mean a steady state; a much higher one caught a major GC or a re-optimisation.
# usage: bench/scripts/callgrind/window.sh <tree> [hello|mw|mwnoctx] [path] [N] [warm-up]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/windows.sh"
tree=$(cd "${1:?tree}" && pwd); app=${2:-hello}; target=${3:-/}; n=${4:-20000}; warm=${5:-40000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" node --single-threaded --no-memory-reducer \
  --hash-seed=7 --random-seed=7 "$here/server.mjs" "$tree" "$app" > "$work/log" 2> "$work/err" &
vp=$!
for _ in $(seq 1 600); do grep -q PORT "$work/log" 2>/dev/null && break; sleep 0.2; done
port=$(awk '/PORT/{print $2}' "$work/log")
node "$here/client.mjs" "$port" "$target" "$warm"
cg_windows $vp node "$here/client.mjs" "$port" "$target" "$n"
kill -TERM $vp; wait $vp || true
read -r a b <<< "$(cg_totals "$work")"
echo "$(basename "$tree") $app $target: $((a / n)) / $((b / n)) instructions/request (two windows of $n after $warm + $n)"
