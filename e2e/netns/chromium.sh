#!/bin/sh
# Debian's Chromium inside the network namespace $PARLEY_NETNS (made by a test with `ip netns add`), for
# Playwright: it launches this script as the browser and talks to it over the pipe the browser inherits, which
# works across namespaces. With $PARLEY_CHROMIUM_UID set, Chromium runs as that unprivileged user, so that an
# nftables rule matching `meta skuid` in the namespace (a firewall) applies to this browser only; the profile
# directory Playwright made and a fresh HOME are handed to that user first.
set -eu
: "${PARLEY_NETNS:?PARLEY_NETNS names the network namespace to start Chromium in}"
if [ -n "${PARLEY_CHROMIUM_UID:-}" ]; then
  for arg in "$@"; do
    case "$arg" in
      --user-data-dir=*) chown -R "$PARLEY_CHROMIUM_UID:$PARLEY_CHROMIUM_UID" "${arg#--user-data-dir=}" ;;
    esac
  done
  home=$(mktemp -d /tmp/parley-chromium-home-XXXXXX)
  chown "$PARLEY_CHROMIUM_UID:$PARLEY_CHROMIUM_UID" "$home"
  exec ip netns exec "$PARLEY_NETNS" env HOME="$home" \
    setpriv --reuid "$PARLEY_CHROMIUM_UID" --regid "$PARLEY_CHROMIUM_UID" --clear-groups /usr/bin/chromium "$@"
fi
exec ip netns exec "$PARLEY_NETNS" /usr/bin/chromium "$@"
