#!/usr/bin/env bash
# Rebuilds api-reference.standalone.js.gz: the browser bundle of Scalar's API reference renderer
# (@scalar/api-reference, MIT) exactly as published on npm, gzipped reproducibly. /api/docs serves it from
# this server so the reference page makes no third-party request (see README.md here).
set -euo pipefail
version=1.76.4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@scalar/api-reference@$version" >/dev/null
tar xzf "scalar-api-reference-$version.tgz"
gzip -n -9 -c package/dist/browser/standalone.js >"$here/api-reference.standalone.js.gz"
echo "$version" >"$here/VERSION"
echo "built $here/api-reference.standalone.js.gz ($version)"
