#!/usr/bin/env bash
# Syscalls per MiB of a stream-bench server (exact counts from the kernel's syscall tracepoints,
# `perf stat`, fine on a busy machine): the server is started, warmed up, then counted over N
# transfers of 1 MiB (bench/scripts/callgrind/stream-client.mjs, 4 connections, or CONNS). Prints each syscall
# made at least N/4 times with its count per MiB.
# usage: bench/scripts/stream-syscalls.sh <download|upload> <jato|jato-copy|node-http|c-floor|c-floor-64k> [N]
# (jato-copy: jato with /download under the default chunk rule, copied, instead of immutableChunks)
# (jato: JATO_NATIVE_LOOP_ADDON picks another build of the addon, for an A/B)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kind=${1:?download or upload}; server=${2:?server}; n=${3:-400}
case $server in
  jato) cmd=(node "$here/../servers/jato-stream.mjs") ;;
  jato-copy) export JATO_DOWNLOAD=copy; cmd=(node "$here/../servers/jato-stream.mjs") ;;
  node-http) cmd=(node "$here/../servers/node-http-stream.mjs") ;;
  c-floor|c-floor-64k)
    node -e "import('$here/../src/stream/c-floor.mjs').then((m) => { const l = m.cFloorLaunch(); if (typeof l === 'string') { console.error(l); process.exit(1); } })"
    [ "$server" = c-floor-64k ] && export C_FLOOR_WRITE=$((64 * 1024 + 9))
    cmd=("$here/../.peers/c-floor/c-floor") ;;
  *) echo "unknown server $server" >&2; exit 1 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
PORT=$port HOST=127.0.0.1 "${cmd[@]}" > "$work/log" 2>&1 &
sp=$!
for _ in $(seq 1 100); do node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null && break; sleep 0.1; done
node "$here/callgrind/stream-client.mjs" "$port" "$kind" "$n" "${CONNS:-4}"
perf stat -x, -e 'syscalls:sys_enter_*' -p $sp -o "$work/stat" &
pp=$!
sleep 0.3
node "$here/callgrind/stream-client.mjs" "$port" "$kind" "$n" "${CONNS:-4}"
kill -INT $pp; wait $pp || true
kill -TERM $sp; wait $sp || true
echo "$server $kind: syscalls per MiB over $n transfers of 1 MiB"
awk -F, -v n="$n" '$1 ~ /^[0-9]+$/ && $1 >= n / 4 { sub("syscalls:sys_enter_", "", $3); printf "  %-16s %8.2f\n", $3, $1 / n }' "$work/stat" | sort -k2 -nr
