#!/usr/bin/env bash
# Join to first decoded frame in Chromium on loopback: runs e2e's JoinLatencyTest (a presenter publishes, then
# JOINS viewers (default 10, after one warm-up join) join one by one through the pre-join screen) and prints its
# JOIN LATENCY lines: each join's steps on the page's clock and the median and p95 from Join to the first frame.
#   bench/join-latency.sh
#   JOINS=20 bench/join-latency.sh
# Needs Chromium (/usr/bin/chromium) as the browser tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
./mvnw -B -q -pl e2e -am verify -Dtest=JoinLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dparley.joinLatency.joins="${JOINS:-10}" || status=$?
grep -h 'JOIN LATENCY' e2e/target/surefire-reports/dev.parley.e2e.JoinLatencyTest-output.txt 2>/dev/null \
  || echo "no JOIN LATENCY lines: see e2e/target/surefire-reports/"
exit "${status:-0}"
