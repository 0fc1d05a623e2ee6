#!/usr/bin/env bash
# Runs every Parley test: unit, fuzz, real-store, media and browser tests.
# Installs what the tests need that Maven cannot bring (Debian's chromium, coturn, nginx) when run as root.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-home.sh
pick_jdk
scripts/install-test-tools.sh
echo "Running the tests with $JAVA_HOME ..."
exec ./mvnw -B verify "$@"
