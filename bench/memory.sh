#!/usr/bin/env bash
# Resident memory of a Parley server started by ./start.sh (its JVM settings, scripts/server-jvm-options.sh) while
# it forwards one publisher to SUBSCRIBERS (default 100) subscribers of parley-loadtest: VmRSS from /proc/<pid>/status
# after start, then every 5 s under load, and the peak (VmHWM).
#   bench/memory.sh
#   PARLEY_JAVA_OPTS="-XX:+UseG1GC" bench/memory.sh          # try a JVM option on top of start.sh's
#   NMT=1 bench/memory.sh                                    # also print the JVM's native memory summary under load
# The server runs on CPU SERVER_CPU (default 0), the load on TOOL_CPU (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
[ -n "${SKIP_BUILD:-}" ] || ./mvnw -q -B -o -DskipTests -pl server,loadtest -am package
subs=${SUBSCRIBERS:-100}
duration=${DURATION:-40}
data=$(mktemp -d)
port=${PORT:-18081}
media=${MEDIA_PORT:-40300}
[ -z "${NMT:-}" ] || export PARLEY_JAVA_OPTS="${PARLEY_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
taskset -c "${SERVER_CPU:-0}" ./start.sh --http-port "$port" --http-bind 127.0.0.1 --media-port "$media" --public-ip 127.0.0.1 \
  --data-dir "$data" --max-participants 2000 --max-connections-per-address 5000 --guest-joins-per-minute 100000 \
  > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.5
done
rss() { awk '/^VmRSS/{printf "%.0f", $2/1024}' "/proc/$server/status"; }
echo "server pid $server: $(tr '\0' ' ' < "/proc/$server/cmdline" | sed 's/ -jar .*//')"
sleep 3
echo "RSS after start: $(rss) MiB"
taskset -c "${TOOL_CPU:-1}" ./parley-loadtest --url "http://127.0.0.1:$port" --room "memory-$RANDOM" --publishers 1 \
  --subscribers "$subs" --duration "${duration}s" --metrics-token "$(cat "$data/metrics-token")" --join-timeout 60s \
  > "$data/loadtest.txt" 2>&1 &
tool=$!
# Joined once the tool prints its first per-second line; then sample.
for _ in $(seq 1 240); do grep -q '^\[ *1s\]' "$data/loadtest.txt" && break; kill -0 $tool 2>/dev/null || break; sleep 0.5; done
samples=()
for t in $(seq 5 5 $((duration - 5))); do
  sleep 5
  samples+=("$(rss)")
  echo "RSS ${t} s into 1 -> $subs: ${samples[-1]} MiB"
done
[ -z "${NMT:-}" ] || "$JAVA_HOME/bin/jcmd" "$server" VM.native_memory summary | grep -E '^(Total|-? *[A-Z][a-zA-Z ]+ \(reserved)' || true
echo "peak RSS (VmHWM): $(awk '/^VmHWM/{printf "%.0f", $2/1024}' "/proc/$server/status") MiB"
wait $tool || true
sed -n '/--- summary ---/,$p' "$data/loadtest.txt"
last=${samples[-1]}
echo "RESULT: RSS at 1 -> $subs after warm-up: $last MiB (median of samples: $(printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') MiB)"
