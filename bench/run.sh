#!/usr/bin/env bash
# Builds the bench module (and sfu-core) and runs the forwarding benchmark; arguments go to ForwardingBenchmark,
# e.g. bench/run.sh --markdown docs/performance.md   or   bench/run.sh --fanout 1,4 --seconds 3
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
./mvnw -q -B -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} \
  -cp "bench/target/parley-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.parley.bench.ForwardingBenchmark "$@"
