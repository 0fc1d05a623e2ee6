# The JVM options Parley's server runs with (sourced by start.sh and the bench/ scripts after pick_jdk, so that what
# is measured is what a user runs). Why each is there, and what it was measured to save: docs/tuning.md, "The
# server's JVM". PARLEY_JAVA_OPTS, when set, is added after them (and so wins).
# shellcheck disable=SC2034  # used by the scripts that source this file
PARLEY_JVM_OPTIONS=(
  # Start with a small heap and let G1 grow it as rooms need: the JVM's default initial heap is 1/64 of the
  # machine's memory (384 MiB on a 24 GiB host), all of it touched and resident soon after start.
  -Xms32m
)
# Hand memory that native code (the JIT, OpenSSL, Netty's native transport) freed back to the OS every 5 s; glibc
# keeps it otherwise (about 25 MiB on an idle server). A product option from JDK 22 (JDK 21 lacks it or locks it).
if [ "$(java_major "$JAVA_HOME/bin/java" | cut -d. -f1)" -ge 22 ]; then
  PARLEY_JVM_OPTIONS+=(-XX:TrimNativeHeapInterval=5000)
fi
