#!/usr/bin/env bash
# Makes sure the PostgreSQL that tests and the demo use is running on its standard local port,
# starting the machine's own service when it is not, and that nats-server is installed.
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

# NATS is not a shared service: the hub runs its own nats-server in operator mode, and tests
# start theirs on free ports. Only the binary must be there.
command -v nats-server >/dev/null || {
  echo "nats-server is not installed (Debian: apt-get install nats-server)" >&2
  exit 1
}
