# windows.sh — sourced by window.sh, stream.sh and fanout.sh (callgrind started with
# --instr-atstart=no --callgrind-out-file=<work>/cg.out).
# cg_windows <pid> <command...>: after the caller's warm-up, switch instrumentation on in <pid> and
# run <command> three times, dumping after each: a settling window (cg.out.1) and two measured ones.
cg_windows() {
  local vp=$1
  shift
  callgrind_control -i on "$vp" > /dev/null 2>&1
  for _ in 1 2 3; do
    "$@"
    callgrind_control -d "$vp" > /dev/null 2>&1
  done
}
# cg_totals <work>: the instruction totals of the two measured windows, on one line.
cg_totals() {
  echo "$(grep -h '^summary' "$1/cg.out.2" | awk '{print $2}') $(grep -h '^summary' "$1/cg.out.3" | awk '{print $2}')"
}
