#!/usr/bin/env bash
# Steady-state user-space instructions per MiB of a stream-bench server (exact counts from callgrind,
# fine on a busy machine; the kernel's share is not counted): a server of bench/servers (default
# jato-stream.mjs, under node) or any command, started under callgrind with instrumentation off,
# warmed up, then two windows of N transfers of 1 MiB dumped and printed.
# (HOST must stay unset: valgrind names its vgdb pipes after it and callgrind_control then misses them.)
# usage: bench/scripts/callgrind/stream.sh <download|upload> [N] [warm-up] [server.mjs | -- command...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/windows.sh"
kind=${1:?download or upload}; n=${2:-40}; warm=${3:-100}
shift $(( $# < 3 ? $# : 3 ))
if [ "${1:-}" = "--" ]; then shift; cmd=("$@"); else cmd=(node --single-threaded --no-memory-reducer --hash-seed=7 --random-seed=7 "$here/../../servers/${1:-jato-stream.mjs}"); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
PORT=$port valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" "${cmd[@]}" > "$work/log" 2> "$work/err" &
vp=$!
for _ in $(seq 1 600); do node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null && break; sleep 0.2; done
node "$here/stream-client.mjs" "$port" "$kind" "$warm"
cg_windows $vp node "$here/stream-client.mjs" "$port" "$kind" "$n"
kill -TERM $vp; wait $vp || true
[ -s "$work/cg.out.2" ] || { tail -20 "$work/err"; exit 1; }
read -r a b <<< "$(cg_totals "$work")"
[ -n "${KEEP:-}" ] && cp "$work"/cg.out.* "$KEEP"/
echo "${cmd[*]##*/} $kind: $((a / n)) / $((b / n)) instructions/MiB (two windows of $n after $warm + $n)"
