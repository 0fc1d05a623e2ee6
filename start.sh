#!/usr/bin/env bash
# Builds Parley (without running the tests) and starts a meeting server on embedded defaults.
# Any arguments go to the server: ./start.sh --help, ./start.sh --public-ip 203.0.113.7
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-home.sh
pick_jdk
. scripts/server-jvm-options.sh
if [ ! -f server/target/parley.jar ] || [ -n "$(find . -path ./server/target -prune -o -newer server/target/parley.jar \( -name '*.java' -o -name 'pom.xml' -o -path './web/*' \) -print -quit)" ]; then
  echo "Building Parley with $JAVA_HOME ..."
  ./mvnw -q -B -DskipTests -pl server -am package
fi
# shellcheck disable=SC2086  # PARLEY_JAVA_OPTS is a list of JVM options
exec "$JAVA_HOME/bin/java" "${PARLEY_JVM_OPTIONS[@]}" ${PARLEY_JAVA_OPTS:-} -jar server/target/parley.jar "$@"
