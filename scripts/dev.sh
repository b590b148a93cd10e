#!/usr/bin/env bash
# Runs an npm script of Flotilla on a fresh machine: installs Node.js 24 when the machine's
# Node is older, installs the locked dependencies when they are missing or stale, makes
# sure local PostgreSQL is up and nats-server installed, then runs `npm run <script> -- <args>`.
#   bash scripts/dev.sh start        # the hub on local defaults
#   bash scripts/dev.sh test         # the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."
script="${1:?usage: scripts/dev.sh <npm script> [args...]}"
shift

bash scripts/ensure-node24.sh
export PATH="${FLOTILLA_NODE24_PREFIX:-$HOME/.cache/flotilla-node24}/node_modules/.bin:$PATH"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-services.sh >/dev/null
exec npm run "$script" -- "$@"
