#!/usr/bin/env bash
# Installs Node.js 24 LTS from the npm registry into its own prefix (never the project's
# node_modules, which `npm ci` wipes) when the machine's Node is older.
set -euo pipefail
prefix="${FLOTILLA_NODE24_PREFIX:-$HOME/.cache/flotilla-node24}"
if "$prefix/node_modules/.bin/node" -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)' 2>/dev/null; then
  exit 0
fi
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'; then
  mkdir -p "$prefix/node_modules/.bin"
  ln -sf "$(command -v node)" "$prefix/node_modules/.bin/node"
  exit 0
fi
mkdir -p "$prefix"
npm install --silent --no-audit --no-fund --prefix "$prefix" node@24 >/dev/null
"$prefix/node_modules/.bin/node" --version >/dev/null
