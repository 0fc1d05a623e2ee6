#!/usr/bin/env bash
# Forwarding cost of Parley against a raw UDP relay, both pinned to one core (SERVER_CPU, default 0) with the load
# generator on the other (TOOL_CPU, default 1). Each step is PUBLISHERSxSUBSCRIBERS of browser-shaped streams
# (per publisher 50 audio + 126 video packets/s):
#   bench/forwarding.sh                        # 1x16 1x100 1x200, 15 s each
#   DURATION=10 bench/forwarding.sh 4x100 6x100 8x100 9x100 10x100   # where does one core lose 1%?
#   PARLEY_JAVA_OPTS="-D..." SKIP_RAW=1 bench/forwarding.sh 1x100     # Parley only, with a JVM option to try
#   PARLEY_JAR=/tmp/before/parley.jar LOADTEST_JAR=/tmp/parley-loadtest.jar SKIP_BUILD=1 SKIP_RAW=1 bench/forwarding.sh 1x100
#                                              # another build of the server (a baseline), a fixed copy of the tool
#   MEDIA_THREADS=2 SERVER_CPU=0,1 TOOL_CPU=0,1 SKIP_RAW=1 bench/forwarding.sh 4x100   # (bench/scaling.sh does this)
# (SKIP_PARLEY=1 measures only the relay.)
# A step ending in "s" (1x100s) is the same load with simulcast and bandwidth estimation: a second Parley started
# with --simulcast true (on PORT+1, MEDIA_PORT+1, also on SERVER_CPU, idle during the other steps) and
# parley-loadtest --simulcast (three layers per publisher, transport-cc feedback from every subscriber; see
# docs/performance.md, "What adaptation costs"). The relay has no simulcast: it runs such a step as the plain one.
#   SKIP_RAW=1 DURATION=15 bench/forwarding.sh 1x100 1x100s 1x100 1x100s   # off, on, off, on in one run
# One-way latency (send to receive, both tools stamp System.nanoTime() into the payload) is reported per step for
# both systems, and their difference at p50/p90/p99/p99.9/max as "added": parley-loadtest runs with --decrypt for it
# (LATENCY=0: without, the tool then counts from the RTP header and costs less). Parley's media threads:
# MEDIA_THREADS (default: the server's, one per available CPU, i.e. per CPU of SERVER_CPU).
# WARMUP=90 sends each step's media for 90 s before measuring it (parley-loadtest --warm-up): a fresh server's
# JIT compiler works for about a minute and a half at 1x100 on the server's core, and that CPU counts as Parley's
# in a cold step. Both figures are in docs/performance.md; the relay's load warms it up for the same time.
# Parley is measured by parley-loadtest (real ICE, DTLS, SRTP); the relay (dev.parley.bench.RawUdpRelay, one
# sendto per copy, no crypto) by dev.parley.bench.RawRelayLoad with the same stream shape. Prints one line per
# step and system; docs/performance.md ("Browser-shaped forwarding") says how to read them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
. scripts/server-jvm-options.sh
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -q -B -o -DskipTests -pl server,loadtest,bench -am package
steps=("${@:-1x16 1x100 1x200}")
latency=${LATENCY:-1}
declare -A parley_latency raw_latency
# "p50 412 us, p90 530 us, p99 901 us, p99.9 1830 us, max 5210 us" -> "412 530 901 1830 5210"
latency_numbers() { sed -n 's/.*latency: p50 \([0-9]*\) us, p90 \([0-9]*\) us, p99 \([0-9]*\) us, p99\.9 \([0-9]*\) us, max \([0-9]*\) us.*/\1 \2 \3 \4 \5/p'; }
read -r -a steps <<< "${steps[*]}"
duration=${DURATION:-15}
data=$(mktemp -d)
port=${PORT:-18080}
media=${MEDIA_PORT:-40100}
relay_port=${RELAY_PORT:-40200}
pids=()
# The server's log and each step's full parley-loadtest output are kept in bench/target/forwarding-logs/.
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  mkdir -p bench/target/forwarding-logs && cp "$data"/*.log "$data"/*.txt bench/target/forwarding-logs/ 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
cp=bench/target/parley-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*
server_jar=${PARLEY_JAR:-server/target/parley.jar}
loadtest=(./parley-loadtest)
if [ -n "${LOADTEST_JAR:-}" ]; then
  # The same JVM options as ./parley-loadtest, without its rebuild-when-sources-changed check.
  loadtest=("$JAVA_HOME/bin/java" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$LOADTEST_JAR")
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Parley on CPU ${SERVER_CPU:-0} with ${PARLEY_JVM_OPTIONS[*]:-(no JVM options)} ${PARLEY_JAVA_OPTS:-}; generators on CPU ${TOOL_CPU:-1}"
# Starts a Parley on SERVER_CPU: start_parley NAME HTTP_PORT MEDIA_PORT [server options]; its pid in $started.
start_parley() {
  local name=$1 http=$2 udp=$3
  shift 3
  mkdir -p "$data/$name"
  # shellcheck disable=SC2086
  taskset -c "${SERVER_CPU:-0}" "$JAVA_HOME/bin/java" "${PARLEY_JVM_OPTIONS[@]}" ${PARLEY_JAVA_OPTS:-} -jar "$server_jar" \
    --http-port "$http" --http-bind 127.0.0.1 --media-port "$udp" --public-ip 127.0.0.1 --data-dir "$data/$name" \
    --max-participants 2000 --max-connections-per-address 5000 --guest-joins-per-minute 100000 \
    ${MEDIA_THREADS:+--media-threads "$MEDIA_THREADS"} "$@" > "$data/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$http/health" >/dev/null && return 0
    kill -0 "$started" 2>/dev/null || { cat "$data/$name.log"; exit 1; }
    sleep 0.5
  done
}
if [ -z "${SKIP_PARLEY:-}" ]; then
  plain=""; simulcast=""
  for step in "${steps[@]}"; do
    if [[ $step == *s ]]; then simulcast=1; else plain=1; fi
  done
  [ -z "$plain" ] || { start_parley server "$port" "$media"; }
  [ -z "$simulcast" ] || { start_parley server-simulcast "$((port + 1))" "$((media + 1))" --simulcast true; }
  n=0
  for step in "${steps[@]}"; do
    n=$((n + 1))
    shape=${step%s}
    if [[ $step == *s ]]; then
      at=$((port + 1)); token=$(cat "$data/server-simulcast/metrics-token"); extra=(--simulcast)
    else
      at=$port; token=$(cat "$data/server/metrics-token"); extra=()
    fi
    out=$(taskset -c "${TOOL_CPU:-1}" "${loadtest[@]}" --url "http://127.0.0.1:$at" --room "fwd-$step-$RANDOM" \
      --publishers "${shape%x*}" --subscribers "${shape#*x}" --duration "${duration}s" "${extra[@]}" \
      --metrics-token "$token" --max-loss 1% --join-timeout 60s ${WARMUP:+--warm-up "${WARMUP}s"} \
      $([ "$latency" = 0 ] || echo --decrypt) 2>&1) || true
    echo "$out" > "$data/loadtest-$n-$step.txt" # numbered: a step may come twice
    summary=$(echo "$out" | sed -n '/--- summary ---/,$p')
    fwd=$(echo "$summary" | sed -n 's/^server: forwarded \([0-9]*\) RTP.*CPU \([0-9.]*\)% of one core, \([0-9]*\) forwarded.*/\1 \2 \3/p')
    secs=$(echo "$summary" | sed -n 's/^sent: .* in \([0-9.]*\) s .*/\1/p')
    loss=$(echo "$summary" | sed -n 's/^loss: \([0-9.]*\)%.*undelivered \([0-9.]*\)%.*/\1 \2/p')
    result=$(echo "$summary" | sed -n 's/^result: //p')
    if [ -z "$fwd" ]; then
      echo "parley $step: no summary; the tool said:"; echo "$out" | tail -5; continue
    fi
    read -r f c per <<< "$fwd"
    read -r l u <<< "$loss"
    top=$(echo "$summary" | sed -n 's/^simulcast: .* top-layer packets, \([0-9.]*\)% of .* (\([0-9.]*\)\/s per subscriber).*/; top layer \1% of owed, \2 transport-cc feedbacks\/s per subscriber/p')
    echo "parley $step: forwarded $f packets (~$(awk -v f="$f" -v s="$secs" 'BEGIN{printf "%.0f", f/s}')/s), CPU $c% of one core, $per forwarded packets per CPU-second; loss $l%, undelivered $u%$top; $result"
    if [ "$latency" != 0 ]; then
      echo "parley $step $(echo "$summary" | grep '^latency:')"
      parley_latency[$step]=$(echo "$summary" | latency_numbers)
    fi
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
fi

[ -z "${SKIP_RAW:-}" ] || exit 0
for step in "${steps[@]}"; do
  # A fresh relay per step: receivers of an earlier step stay registered with a relay (it has no "leave").
  taskset -c "${SERVER_CPU:-0}" "$JAVA_HOME/bin/java" -cp "$cp" dev.parley.bench.RawUdpRelay "$relay_port" >> "$data/relay.log" 2>&1 &
  relay=$!
  pids+=("$relay")
  raw=$(taskset -c "${TOOL_CPU:-1}" "$JAVA_HOME/bin/java" -cp "$cp" dev.parley.bench.RawRelayLoad --relay-port "$relay_port" \
    --relay-pid "$relay" --publishers "${step%x*}" --subscribers "$(echo "${step#*x}" | tr -d s)" --duration "$duration" --warmup "${WARMUP:-3}" 2>&1) || true
  echo "$raw"
  raw_latency[$step]=$(echo "$raw" | latency_numbers)
  kill "$relay" 2>/dev/null || true
  wait "$relay" 2>/dev/null || true
done

# Added latency: Parley minus the relay at each percentile, both measured to every copy of every packet (the last
# copy of a fan-out to M waits for the M-1 before it in both).
for step in "${steps[@]}"; do
  p=${parley_latency[$step]:-}
  r=${raw_latency[$step]:-}
  [ -n "$p" ] && [ -n "$r" ] || continue
  echo "added latency $step: $(awk -v p="$p" -v r="$r" 'BEGIN{split(p,a," "); split(r,b," "); n=split("p50 p90 p99 p99.9 max",q," ");
    for(i=1;i<=n;i++) printf "%s%s %+d us", (i>1?", ":""), q[i], a[i]-b[i]; print ""}')"
done
