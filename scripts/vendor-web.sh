#!/usr/bin/env bash
# vendor-web.sh fetches the pinned front-end libraries from the npm
# registry, checks each tarball against the registry's sha512 integrity,
# and copies the built file and its licence under web/static/vendor,
# recording versions, integrity and licences in VERSIONS.md. The files
# are committed and embedded in the binary: neither building nor running
# Frontdesk needs Node or the network. Run it again only to change a pin.
set -euo pipefail

# package  version  file inside the tarball  name under web/static/vendor
PINS=(
  "htmx.org 2.0.11 package/dist/htmx.min.js htmx.min.js"
)

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/web/static/vendor"
registry="${NPM_REGISTRY:-https://registry.npmjs.org}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

{
  echo "# Vendored front-end libraries"
  echo
  echo "Written by scripts/vendor-web.sh; do not edit by hand."
  echo
  echo "| Package | Version | File | Licence | Integrity (npm registry, checked) |"
  echo "|---|---|---|---|---|"
} >"$work/VERSIONS.md"

for pin in "${PINS[@]}"; do
  read -r pkg version file name <<<"$pin"
  meta="$work/$pkg.json"
  curl -fsSL "$registry/$pkg/$version" -o "$meta"
  tarball="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dist"]["tarball"])' "$meta")"
  integrity="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dist"]["integrity"])' "$meta")"
  licence="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("license", "unknown"))' "$meta")"
  curl -fsSL "$tarball" -o "$work/$pkg.tgz"
  got="sha512-$(openssl dgst -sha512 -binary "$work/$pkg.tgz" | base64 -w0)"
  if [[ "$got" != "$integrity" ]]; then
    echo "vendor-web: $pkg@$version: tarball integrity $got, registry says $integrity" >&2
    exit 1
  fi
  mkdir -p "$work/$pkg"
  tar -xzf "$work/$pkg.tgz" -C "$work/$pkg"
  cp "$work/$pkg/$file" "$out/$name"
  lic="$(find "$work/$pkg/package" -maxdepth 1 -iname 'licen[cs]e*' | head -n1)"
  if [[ -z "$lic" ]]; then
    echo "vendor-web: $pkg@$version ships no licence file" >&2
    exit 1
  fi
  cp "$lic" "$out/$name.LICENSE"
  echo "| $pkg | $version | $name | $licence ($name.LICENSE) | \`$integrity\` |" >>"$work/VERSIONS.md"
done
cp "$work/VERSIONS.md" "$out/VERSIONS.md"
echo "vendor-web: wrote $out"
