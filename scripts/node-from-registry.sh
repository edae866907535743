#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major version (22 or 24), taken from the npm
# registry's node-linux-<arch> package: CI machines have only Node 20 and npm, and the registry is
# the one place they can download from. The version and the tarball's sha512 are pinned here, so
# what runs is exactly what was reviewed; `npm pack` checks the registry's integrity as well.
#
#   node_bin=$(bash scripts/node-from-registry.sh 24)   # e.g. ~/.cache/lambda-runtime/node/24.22.3-x64/bin/node
#   PATH="$(dirname "$node_bin"):$PATH" node --version
#
# Cached in ${LAMBDA_RUNTIME_NODE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/lambda-runtime/node}; a cached
# binary is reused after checking that it runs and reports the pinned version.
set -euo pipefail

major="${1:?usage: node-from-registry.sh <major: 22|24>}"
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-from-registry: no pinned Node.js for $(uname -m)" >&2; exit 1 ;;
esac

# major.arch -> version and the registry's dist.integrity of node-linux-<arch>@<version>: the same
# pins as lambda-dev's (packages/dev/src/node-releases.ts; test/install checks they agree).
case "${major}.${arch}" in
  24.x64) version=24.22.3 integrity='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
  24.arm64) version=24.22.3 integrity='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
  22.x64) version=22.23.5 integrity='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' ;;
  22.arm64) version=22.23.5 integrity='sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==' ;;
  *) echo "node-from-registry: no pinned Node.js ${major} (pinned: 22, 24)" >&2; exit 1 ;;
esac

cache="${LAMBDA_RUNTIME_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lambda-runtime/node}"
target="${cache}/${version}-${arch}"
node_bin="${target}/bin/node"

if [ -x "$node_bin" ] && [ "$("$node_bin" --version 2>/dev/null)" = "v${version}" ]; then
  echo "$node_bin"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
package="node-linux-${arch}@${version}"
echo "node-from-registry: downloading ${package}" >&2
npm pack "$package" --pack-destination "$work" --silent --no-update-notifier >/dev/null
tarball="${work}/node-linux-${arch}-${version}.tgz"

actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
if [ "$actual" != "$integrity" ]; then
  echo "node-from-registry: ${package} has integrity ${actual}, expected ${integrity}" >&2
  exit 1
fi

mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked" --strip-components=1 package/bin/node package/LICENSE
if [ "$("$work/unpacked/bin/node" --version)" != "v${version}" ]; then
  echo "node-from-registry: ${package}'s bin/node does not report v${version}" >&2
  exit 1
fi
mkdir -p "$cache"
rm -rf "$target"
mv "$work/unpacked" "$target"
echo "$node_bin"
