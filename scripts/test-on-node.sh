#!/usr/bin/env bash
# Runs the conformance tests (every test file that names a checklist item, see
# scripts/conformance-table.mjs) and the installation test (test/install) under Node.js <major>,
# taken from the npm registry by scripts/node-from-registry.sh. Needs the build (pnpm build) first.
#
#   bash scripts/test-on-node.sh 24
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

major="${1:?usage: test-on-node.sh <major: 22|24>}"
node_bin=$(bash scripts/node-from-registry.sh "$major")
export PATH="$(dirname "$node_bin"):$PATH"

mapfile -t files < <(node scripts/conformance-table.mjs --list-files)
# vitest runs on the node first on PATH, and so do the runtimes the tests spawn. The installation
# test runs after the others, not beside them: its npm install and builds would slow their processes.
echo "== node $(node --version): ${#files[@]} conformance test files"
node node_modules/vitest/vitest.mjs run --project '!install' "${files[@]}"
echo "== node $(node --version): the installation test"
node node_modules/vitest/vitest.mjs run --project install test/install/install.test.ts
