# Sourced by start.sh and test.sh: points JAVA_HOME at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, the `java` on PATH if it is 21+, then the newest under /usr/lib/jvm.

java_major() { # $1 = path to a java binary; prints its feature version
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

pick_jdk() {
  local candidates=() c v best="" best_v=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(java_major "$c/bin/java")
    v=${v%%.*}
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ]; then
      # The first acceptable candidate wins when it came from the user's own setting.
      if [ "$c" = "${JAVA_HOME:-}" ]; then best="$c"; break; fi
      if [ "$v" -gt "$best_v" ]; then best="$c"; best_v="$v"; fi
    fi
  done
  if [ -z "$best" ]; then
    echo "Parley needs a JDK 21 or newer, and none was found (looked at \$JAVA_HOME, the javac on PATH and /usr/lib/jvm/*)." >&2
    echo "Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+, or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}
