#!/usr/bin/env bash
# Media threads scaling of a real Parley process, loaded by parley-loadtest processes (real ICE, DTLS, SRTP): the
# server with 1 and then 2 media threads, ROOMS rooms (one parley-loadtest process each, so the rooms spread over
# the threads), each PUBLISHERSxSUBSCRIBERS of browser-shaped streams (per publisher 176 packets/s), stepping up
# the subscribers until a room loses more than 1% or the steps run out:
#   bench/scaling.sh                               # 4 rooms of 1x25, 1x50, 1x100, 1x150, 1x200; 1 and 2 threads
#   ROOMS=8 DURATION=10 bench/scaling.sh 1x50 1x100
#   THREADS=2 bench/scaling.sh 1x100               # one thread count only
# Per step and thread count: forwarded packets/s (the server's /metrics), the server's CPU (/proc) and forwarded
# packets per CPU-second, each media thread's busy share (its CPU time over the window) and the worst room's loss.
#
# Where it runs: with 1 media thread the server is pinned to CPU 0 and the generators to CPU 1; with 2 the server
# has CPUs 0 and 1 and the generators share them (on a 2-CPU machine there is nothing else: the figures then say
# how the work splits, not what two cores forward with the load generated elsewhere). CPUS_1 / TOOL_CPUS_1 and
# CPUS_2 / TOOL_CPUS_2 set other CPU lists, e.g. on a bigger machine CPUS_2=0,1 TOOL_CPUS_2=2-7.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
. scripts/server-jvm-options.sh
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -q -B -o -DskipTests -pl server,loadtest -am package
steps=("${@:-1x25 1x50 1x100 1x150 1x200}")
read -r -a steps <<< "${steps[*]}"
rooms=${ROOMS:-4}
duration=${DURATION:-10}
warmup=${WARMUP:-3}
port=${PORT:-18090}
media=${MEDIA_PORT:-40300}
data=$(mktemp -d)
server=
tools=()
cleanup() {
  for p in "${tools[@]}" $server; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  mkdir -p bench/target/scaling-logs && cp "$data"/*.log "$data"/*.txt bench/target/scaling-logs/ 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
ticks=$(getconf CLK_TCK)

# CPU seconds (user + system) of a process or thread from its /proc stat.
cpu_seconds() { awk -v t="$ticks" '{sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / t}' "$1"; }
forwarded() {
  curl -sf -H "Authorization: Bearer $(cat "$data/metrics-token")" "http://127.0.0.1:$port/metrics" \
    | awk '$1 == "parley_media_packets_forwarded_total" {printf "%.0f", $2}'
}
# "name cpu-seconds" per media thread of the server
media_threads() {
  for t in /proc/"$server"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    case "$name" in parley-media-*) echo "$name $(cpu_seconds "$t/stat")" ;; esac
  done | sort
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for threads in ${THREADS:-1 2}; do
  if [ "$threads" = 1 ]; then cpus=${CPUS_1:-0}; tool_cpus=${TOOL_CPUS_1:-1}; else cpus=${CPUS_2:-0,1}; tool_cpus=${TOOL_CPUS_2:-0,1}; fi
  echo "--- $threads media thread(s): Parley on CPU $cpus, generators on CPU $tool_cpus; $rooms rooms"
  rm -f "$data/metrics-token"
  taskset -c "$cpus" "$JAVA_HOME/bin/java" "${PARLEY_JVM_OPTIONS[@]}" ${PARLEY_JAVA_OPTS:-} -jar server/target/parley.jar \
    --http-port "$port" --http-bind 127.0.0.1 --media-port "$media" --public-ip 127.0.0.1 --data-dir "$data" \
    --media-threads "$threads" --max-participants 5000 --max-connections-per-address 10000 \
    --guest-joins-per-minute 100000 > "$data/server-$threads.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && [ -s "$data/metrics-token" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$data/server-$threads.log"; exit 1; }
    sleep 0.5
  done
  for step in "${steps[@]}"; do
    tools=()
    failed=
    for r in $(seq 1 "$rooms"); do
      # Long enough to cover every room's join, the warm-up and the window: the window is measured here.
      out="$data/loadtest-$threads-$step-$r.txt"
      taskset -c "$tool_cpus" ./parley-loadtest --url "http://127.0.0.1:$port" --room "scale-$threads-$step-$r-$RANDOM" \
        --publishers "${step%x*}" --subscribers "${step#*x}" --duration "$((duration + warmup + 30 * rooms + 30))s" \
        --max-loss 100% --join-timeout 60s > "$out" 2>&1 &
      tools+=($!)
      # One room joins at a time (many DTLS handshakes at once on these two cores time out); earlier rooms send
      # meanwhile.
      deadline=$((SECONDS + 90))
      until grep -qs '^joined:' "$out"; do
        if ! kill -0 "${tools[-1]}" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
          echo "threads $threads $step: room $r did not join: $(grep -m1 -A1 'failed to join' "$out" | tail -1)"
          failed=1
          break 2
        fi
        sleep 0.5
      done
    done
    if [ -n "$failed" ]; then
      for p in "${tools[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
      tools=()
      break
    fi
    sleep "$warmup"
    # Each tool prints a line per second: the lines printed between the two samples are the window's.
    declare -A lines0=()
    for r in $(seq 1 "$rooms"); do lines0[$r]=$(wc -l < "$data/loadtest-$threads-$step-$r.txt"); done
    f0=$(forwarded); t0=$(date +%s.%N); c0=$(cpu_seconds "/proc/$server/stat"); m0=$(media_threads)
    sleep "$duration"
    f1=$(forwarded); t1=$(date +%s.%N); c1=$(cpu_seconds "/proc/$server/stat"); m1=$(media_threads)
    window=$(for r in $(seq 1 "$rooms"); do
      tail -n +$((lines0[$r] + 1)) "$data/loadtest-$threads-$step-$r.txt"
    done)
    for p in "${tools[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for p in "${tools[@]}"; do wait "$p" 2>/dev/null || true; done
    tools=()
    # Loss: the worst second of any room in the window (sequence gaps its subscribers saw).
    loss=$(echo "$window" | sed -n 's/.*| loss \([0-9.]*\)%.*/\1/p' | sort -g | tail -1)
    busy=$(join <(echo "$m0") <(echo "$m1") | awk -v w="$(echo "$t1 - $t0" | bc)" '{printf "%s%.0f%%", (NR>1?" / ":""), 100*($3-$2)/w}')
    awk -v f="$((f1 - f0))" -v c="$(echo "$c1 - $c0" | bc)" -v w="$(echo "$t1 - $t0" | bc)" -v step="$step" -v r="$rooms" \
      -v th="$threads" -v busy="$busy" -v loss="${loss:-?}" 'BEGIN{
        split(step, s, "x"); offered = r * s[1] * (s[2] + s[1] - 1) * 176;
        printf "threads %d, %d x %s: offered %.0f fwd pkt/s, forwarded %.0f pkt/s, server CPU %.0f%% of one core, %.0f forwarded packets per CPU-second; media threads busy %s; worst room loss in a second %s%%\n",
          th, r, step, offered, f / w, 100 * c / w, f / c, busy, loss }'
    if awk -v l="${loss:-0}" 'BEGIN{exit !(l > 1)}'; then
      echo "threads $threads: a room lost more than 1% at $rooms x $step; no higher step"
      break
    fi
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
done
