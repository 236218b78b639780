#!/usr/bin/env sh
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a database `test`, for the test
# suite's PostgreSQL run. When none answers, installs Debian's postgresql, lets local TCP connections
# in without a password (this is for throw-away CI machines) and starts it.
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  # Debian creates the cluster "main" on install, but without systemd (containers) nobody starts it.
  if ! pg_lsclusters -h | grep -q "^$version  *main "; then $SUDO pg_createcluster "$version" main; fi
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # The first matching line wins, so trust goes first.
  grep -q '^host all all 127.0.0.1/32 trust' "$hba" || $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  if pg_ctlcluster "$version" main status >/dev/null 2>&1; then
    $SUDO pg_ctlcluster "$version" main reload
  else
    $SUDO pg_ctlcluster "$version" main start
  fi
  for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p 5432; then break; fi
    sleep 1
  done
fi
if ! psql -w -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
  psql -w -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
fi
