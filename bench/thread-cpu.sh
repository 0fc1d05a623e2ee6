#!/usr/bin/env bash
# CPU time of a running Parley server by thread group (media threads, JIT compiler, Jetty, ...), printed every
# INTERVAL seconds (default 10), COUNT times (default 12): run it beside bench/forwarding.sh to see where a step's
# CPU goes (docs/performance.md, "Steady state"). Milliseconds since the thread started; the difference between
# two lines is what that group spent in between.
#   bench/thread-cpu.sh            # the first java process running parley.jar
#   PID=1234 INTERVAL=5 COUNT=6 bench/thread-cpu.sh
set -euo pipefail
pid=${PID:-}
for _ in $(seq 1 60); do
  [ -n "$pid" ] && break
  pid=$(pgrep -f 'parley.jar' | head -n 1 || true)
  [ -n "$pid" ] || sleep 1
done
[ -n "$pid" ] || { echo "no running parley.jar found (set PID)" >&2; exit 1; }
tick=$(getconf CLK_TCK)
for _ in $(seq 1 "${COUNT:-12}"); do
  [ -d "/proc/$pid" ] || exit 0
  for t in /proc/"$pid"/task/*; do
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    name=${stat#*(}; name=${name%)*}; rest=${stat##*) }
    read -r -a f <<< "$rest"
    echo "${name//[0-9]/#} $(( (f[11] + f[12]) * 1000 / tick ))"
  done | awk -v at="$(date +%T)" '{ms[substr($0, 1, length($0) - length($NF) - 1)] += $NF} END {
    line = at; n = 0; for (k in ms) { keys[++n] = k }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (ms[keys[j]] > ms[keys[i]]) { x = keys[i]; keys[i] = keys[j]; keys[j] = x }
    for (i = 1; i <= n && i <= 8; i++) line = line " " keys[i] "=" ms[keys[i]]; print line }'
  sleep "${INTERVAL:-10}"
done
