# The JVM options Parley's server runs with (sourced by start.sh and the bench/ scripts, so that what is measured
# is what a user runs). Why each is there, and what it was measured to save: docs/tuning.md, "The server's JVM".
# PARLEY_JAVA_OPTS, when set, is added after them (and so wins).
# shellcheck disable=SC2034  # used by the scripts that source this file
PARLEY_JVM_OPTIONS=()
