#!/usr/bin/env bash
# Runs every Parley test: unit, fuzz, real-store, media and browser tests.
# Installs and starts what the tests need that Maven cannot bring (chromium, PostgreSQL, Redis) when run as root.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-home.sh
pick_jdk
scripts/install-test-tools.sh
echo "Running the tests with $JAVA_HOME ..."
exec ./mvnw -B verify "$@"
