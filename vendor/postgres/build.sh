#!/usr/bin/env bash
# Rebuilds postgres-3.4.9-glade.tgz: postgres.js 3.4.9 as published on npm, with queue.patch and
# closed-connection.patch applied (see README.md here). The archive is built reproducibly, so a rebuild matches package-lock.json's hash.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent postgres@3.4.9 >/dev/null
tar xzf postgres-3.4.9.tgz
patch --quiet -p1 -d package <"$here/queue.patch"
patch --quiet -p1 -d package <"$here/closed-connection.patch"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - package | gzip -n -9 >"$here/postgres-3.4.9-glade.tgz"
echo "built $here/postgres-3.4.9-glade.tgz"
