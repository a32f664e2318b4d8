#!/usr/bin/env bash
# Page faults, brk calls, young/old GCs and server CPU per MiB of the jato stream-bench server (the
# kernel's counts via `perf stat`, V8's via --trace-gc; fine on a busy machine except the CPU figure,
# which is from /proc and wants the bench lock): the server is started (pinned to CPU 0), warmed up
# with W transfers of 1 MiB, then counted over N (bench/scripts/callgrind/stream-client.mjs, 8
# connections, pinned to CPU 1).
# usage: bench/scripts/stream-faults.sh <upload|download> [N] [W]
# (JATO_UPLOAD=borrowed: uploads read with req.stream({ borrowed: true }); JATO_NATIVE_LOOP_ADDON
# picks another build of the addon, for an A/B)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kind=${1:?upload or download}; n=${2:-1000}; warm=${3:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
PORT=$port HOST=127.0.0.1 taskset -c 0 node --trace-gc "$here/../servers/jato-stream.mjs" > "$work/log" 2>&1 &
sp=$!
for _ in $(seq 1 100); do node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null && break; sleep 0.1; done
taskset -c 1 node "$here/callgrind/stream-client.mjs" "$port" "$kind" "$warm" 8
: > "$work/log"
perf stat -x, -e page-faults,syscalls:sys_enter_brk -p $sp -o "$work/stat" &
pp=$!
sleep 0.3
t0=$(awk '{print $14 + $15}' /proc/$sp/stat)
taskset -c 1 node "$here/callgrind/stream-client.mjs" "$port" "$kind" "$n" 8
t1=$(awk '{print $14 + $15}' /proc/$sp/stat)
kill -INT $pp; wait $pp || true
kill -TERM $sp; wait $sp || true
tck=$(getconf CLK_TCK)
awk -F, -v n="$n" -v cpu="$((t1 - t0))" -v tck="$tck" -v sc="$(grep -c Scavenge "$work/log" || true)" -v mc="$(grep -c Mark "$work/log" || true)" '
  $3 == "page-faults" { pf = $1 } $3 ~ /brk/ { brk = $1 }
  END { printf "jato %s%s: per MiB over %d: server CPU %.3f ms, page faults %.2f, brk %.3f, scavenges %.4f, mark-compacts %.4f\n",
        ENVIRON["JATO_UPLOAD"] == "borrowed" ? "borrowed " : "", "'"$kind"'", n, cpu * 1000 / tck / n, pf / n, brk / n, sc / n, mc / n }' "$work/stat"
