#!/usr/bin/env bash
# Join to first decoded frame in Chromium on loopback: runs e2e's JoinLatencyTest (a presenter publishes, then
# JOINS viewers (default 10, after one warm-up join) join one by one through the pre-join screen) and prints its
# JOIN LATENCY lines: each join's steps on the page's clock and the median and p95 from Join to the first frame;
# then JOIN TIMELINE lines: the page's steps and the server's (from its debug log) per join, bench/join-timeline.py.
#   bench/join-latency.sh
#   JOINS=20 bench/join-latency.sh
# Needs Chromium (/usr/bin/chromium) as the browser tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
pick_jdk
./mvnw -B -q -pl e2e -am verify -Dtest=JoinLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dparley.joinLatency.joins="${JOINS:-10}" || status=$?
output=e2e/target/surefire-reports/dev.parley.e2e.JoinLatencyTest-output.txt
grep -h 'JOIN LATENCY' "$output" 2>/dev/null || echo "no JOIN LATENCY lines: see e2e/target/surefire-reports/"
# Each step of each join, the page's marks and the server's debug log lined up (needs python3).
server_log=$(ls -t e2e/target/server-join-latency-*.log 2>/dev/null | head -1)
if [ -f "$output" ] && [ -n "$server_log" ] && command -v python3 >/dev/null; then
  python3 bench/join-timeline.py "$output" "$server_log" || true
fi
exit "${status:-0}"
