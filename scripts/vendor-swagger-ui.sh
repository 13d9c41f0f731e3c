#!/usr/bin/env bash
# Vendor Swagger UI (the API reference page, /api/v1/docs) as static files, so that the page
# works offline under the portal's CSP (script-src 'self'), like the design system
# (scripts/vendor-gcds.sh). Re-run from anywhere: bash scripts/vendor-swagger-ui.sh
# Needs node + npm. Writes ONLY src/loaportal/core/static/swagger-ui/.
# Pinned to an exact version, checked against the npm registry's sha512 integrity.
set -euo pipefail

PACKAGE="swagger-ui-dist@5.35.0"
SRI="sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO_ROOT/src/loaportal/core/static/swagger-ui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
tgz="$(npm pack --silent "$PACKAGE" | tail -n 1)"
actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
if [[ "$actual" != "$SRI" ]]; then
  echo "integrity mismatch for $PACKAGE: got $actual, expected $SRI" >&2
  exit 1
fi
tar -xzf "$tgz"
rm -rf "$OUT"
mkdir -p "$OUT"
# The bundle (no source map: it would only add megabytes), its stylesheet, the licence.
sed '/^\/\/# sourceMappingURL=/d' package/swagger-ui-bundle.js > "$OUT/swagger-ui-bundle.js"
sed '/sourceMappingURL=/d' package/swagger-ui.css > "$OUT/swagger-ui.css"
cp package/LICENSE "$OUT/LICENSE"
[[ -f package/NOTICE ]] && cp package/NOTICE "$OUT/NOTICE"
echo "Vendored $PACKAGE into $OUT"
