#!/usr/bin/env bash
# Fetches the pinned axe-core build from the npm registry into this folder and
# records its version and licence. Run it to refresh or upgrade axe.min.js:
#   web/testdata/axe/fetch.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")"
VERSION=${1:-4.10.3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tarball=$(cd "$tmp" && npm pack --silent "axe-core@$VERSION")
tar -xzf "$tmp/$tarball" -C "$tmp" package/axe.min.js package/package.json package/LICENSE
licence=$(node -p "require('$tmp/package/package.json').license")
[ "$licence" = "MPL-2.0" ] || { echo "fetch.sh: unexpected licence $licence" >&2; exit 1; }
cp "$tmp/package/axe.min.js" axe.min.js
cp "$tmp/package/LICENSE" LICENSE
sha=$(sha256sum axe.min.js | cut -d' ' -f1)
printf 'axe-core %s\nlicense %s\nsource https://registry.npmjs.org/axe-core/-/%s\nsha256 %s\n' \
  "$VERSION" "$licence" "$tarball" "$sha" > VERSION
echo "fetch.sh: axe-core $VERSION ($licence) written to $(pwd)/axe.min.js"
