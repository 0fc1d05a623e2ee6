#!/usr/bin/env bash
# Installs the programs Parley's tests run for real and Maven Central cannot provide.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
# Media tests put the server and the browser in a network namespace holding only loopback.
command -v unshare >/dev/null 2>&1 || needed+=(util-linux)
command -v ip >/dev/null 2>&1 || needed+=(iproute2)
[ ${#needed[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${needed[*]} from Debian ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
else
  echo "Parley's tests need: ${needed[*]}. Install them (e.g. sudo apt-get install ${needed[*]}) and run again." >&2
  exit 1
fi
