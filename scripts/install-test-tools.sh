#!/usr/bin/env bash
# Installs and starts what Parley's tests use for real and Maven Central cannot provide:
# Debian's chromium and firefox-esr (browser tests; Firefox is driven by a Node script, so Node.js and npm too),
# ffmpeg (its ffmpeg and ffprobe make real VP8/Opus/H.264 streams for the recorder's tests and read what it wrote),
# espeak-ng (spoken sentences for the AI bridge's voice activity tests),
# PostgreSQL on 127.0.0.1:5432 with a `test` database (trust auth for
# local connections) and Redis on 127.0.0.1:6379. Kafka and S3 come from Maven Central inside the tests.
set -euo pipefail

as_root=false
[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && as_root=true
apt_updated=false
apt_install() {
  if ! $as_root; then
    echo "Parley's tests need: $*. Install them (e.g. sudo apt-get install $*) and run again." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $apt_updated; then apt-get update -qq; apt_updated=true; fi
  echo "Installing $* from Debian ..."
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
[ -x /usr/bin/firefox-esr ] || needed+=(firefox-esr)
command -v node >/dev/null 2>&1 || needed+=(nodejs)
command -v npm >/dev/null 2>&1 || needed+=(npm)
command -v ffprobe >/dev/null 2>&1 || needed+=(ffmpeg)
command -v turnserver >/dev/null 2>&1 || needed+=(coturn)
command -v espeak-ng >/dev/null 2>&1 || needed+=(espeak-ng)
[ ${#needed[@]} -eq 0 ] || apt_install "${needed[@]}"

if ! port_open 5432; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "PostgreSQL is installed but has no cluster; create one (pg_createcluster) and run again." >&2
    exit 1
  fi
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba" 2>/dev/null; then
    # Tests connect as postgres without a password, on loopback only.
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  echo "Starting PostgreSQL $version ..."
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  for _ in $(seq 1 50); do port_open 5432 && break; sleep 0.2; done
fi
if command -v psql >/dev/null 2>&1 && ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE test' >/dev/null 2>&1 || true
fi

if ! port_open 6379; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  echo "Starting Redis on 127.0.0.1:6379 ..."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do port_open 6379 && break; sleep 0.2; done
fi
