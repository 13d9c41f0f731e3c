#!/usr/bin/env bash
# Vendor Chart.js (the statistics pages' charts) as a static file, so that the pages work
# offline under the strict CSP (script-src 'self'; Chart.js sets canvas sizes through the
# CSSOM, which style-src does not restrict, and injects no <style>).
#
# Re-run from anywhere:  bash scripts/vendor-chartjs.sh
# Needs: bash, node + npm (npm registry access), tar. Writes ONLY:
#   src/loaportal/statistics/static/statistics/vendor/chartjs/  (chart.umd.min.js + LICENSE.md)
#
# Pinned to an exact version and checked against the npm registry's sha512 integrity, so a
# re-run produces the same files. To upgrade: change the version, run
# `npm view chart.js@<ver> dist.integrity`, paste the new integrity, re-run, review the diff.
set -euo pipefail

CHARTJS="chart.js@4.6.1"
CHARTJS_SRI="sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO_ROOT/src/loaportal/statistics/static/statistics/vendor/chartjs"

command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

tgz="$(cd "$WORK" && npm pack --silent "$CHARTJS" | tail -n 1)"
actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$WORK/$tgz")"
if [[ "$actual" != "$CHARTJS_SRI" ]]; then
  echo "integrity mismatch for $CHARTJS: got $actual, expected $CHARTJS_SRI" >&2
  exit 1
fi
tar -xzf "$WORK/$tgz" -C "$WORK"

rm -rf "$OUT"
mkdir -p "$OUT"
# The UMD build defines window.Chart for a classic <script>; the source map is not shipped,
# so its comment goes too (ManifestStaticFilesStorage would look for the missing file).
sed '/^\/\/# sourceMappingURL=/d' "$WORK/package/dist/chart.umd.min.js" > "$OUT/chart.umd.min.js"
cp "$WORK/package/LICENSE.md" "$OUT/LICENSE.md"
if grep -q sourceMappingURL "$OUT/chart.umd.min.js"; then
  echo "sourceMappingURL comment left" >&2; exit 1
fi
echo "Done: $(du -sh "$OUT")"
