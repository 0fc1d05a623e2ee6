#!/usr/bin/env bash
# Builds the bench modules (bench, bench-recording and what they need) and runs the forwarding benchmark; arguments
# go to ForwardingBenchmark, e.g. bench/run.sh --markdown docs/performance.md   or   bench/run.sh --fanout 16 --record
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
./mvnw -q -B -pl bench-recording -am package -DskipTests
# bench/run.sh scaling [...]: forwarding of several rooms at 1 and 2 media threads (MediaThreadsScaling).
main=dev.parley.bench.ForwardingBenchmark
if [ "${1:-}" = scaling ]; then
  main=dev.parley.bench.MediaThreadsScaling
  shift
fi
exec "$JAVA_HOME/bin/java" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} \
  -cp "bench-recording/target/parley-bench-recording-0.1.0-SNAPSHOT.jar:bench-recording/target/lib/*" "$main" "$@"
