#!/usr/bin/env bash
# Measures parley-loadtest against a local Parley server: the server pinned to CPU 0, the tool to CPU 1 (taskset),
# one run per step given as PUBLISHERSxSUBSCRIBERS, e.g.
#   bench/loadtest-local.sh 1x100                 # 1 -> 100 for 30 s
#   DURATION=15s bench/loadtest-local.sh 1x100 2x100 4x100 6x100 8x100
# Prints each run's report; the figures in docs/performance.md came from it. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -q -B -DskipTests -pl server,loadtest -am package
data=$(mktemp -d)
port=${PORT:-18080}
media=${MEDIA_PORT:-40100}
# A load generator is one address with many participants: lift the per-address and per-room limits.
taskset -c "${SERVER_CPU:-0}" "$JAVA_HOME/bin/java" -jar server/target/parley.jar --http-port "$port" --http-bind 127.0.0.1 \
  --media-port "$media" --public-ip 127.0.0.1 --data-dir "$data" --max-participants 2000 \
  --max-connections-per-address 5000 --guest-joins-per-minute 100000 > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.5
done
echo "server pid $server on CPU ${SERVER_CPU:-0}; tool on CPU ${TOOL_CPU:-1}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for step in "${@:-1x100}"; do
  pubs=${step%x*}
  subs=${step#*x}
  echo "=== $pubs -> $subs ==="
  taskset -c "${TOOL_CPU:-1}" ./parley-loadtest --url "http://127.0.0.1:$port" --room "step-$step" --publishers "$pubs" \
    --subscribers "$subs" --duration "${DURATION:-30s}" --metrics-token "$(cat "$data/metrics-token")" \
    --max-loss "${MAX_LOSS:-1%}" --join-timeout 60s || status=$?
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
exit $status
