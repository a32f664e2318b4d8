#!/usr/bin/env bash
# Steady-state user-space instructions per WebSocket fan-out delivery of a jato tree's server (exact
# counts from callgrind; the kernel's share, ~90 % of a delivery's CPU, is not counted). One
# publisher sends one message at a time to `subs` subscribers (one read and `subs` writes per
# message), so the counts do not depend on the machine's speed. Instrumentation is off during
# start-up and warm-up; one settling window of N messages is dropped and two are printed.
# A/B of the addon alone: JATO_NATIVE_LOOP_ADDON=path/to/other/jato_native_loop.node bench/scripts/callgrind/fanout.sh .
# usage: bench/scripts/callgrind/fanout.sh <tree> [subs=200] [N=100] [warm-up=200]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/windows.sh"
tree=$(cd "${1:?tree}" && pwd); subs=${2:-200}; n=${3:-100}; warm=${4:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" node --single-threaded --no-memory-reducer \
  --hash-seed=7 --random-seed=7 "$here/fanout-server.mjs" "$tree" > "$work/log" 2> "$work/err" &
vp=$!
for _ in $(seq 1 600); do grep -q PORT "$work/log" 2>/dev/null && break; sleep 0.2; done
port=$(awk '/PORT/{print $2}' "$work/log")
node "$here/fanout-client.mjs" "$port" "$vp" "$subs" "$n" "$warm"
kill -TERM $vp; wait $vp || true
read -r a b <<< "$(cg_totals "$work")"
d=$((subs * n))
echo "$(basename "$tree") fan-out to $subs subscribers: $((a / d)) / $((b / d)) instructions/delivery (two windows of $n messages after $warm + $n)"
