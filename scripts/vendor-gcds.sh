#!/usr/bin/env bash
# Vendor the GC Design System (GCDS) web components and self-hosted fonts as
# static files, so that pages work offline under a strict CSP (default-src 'self').
#
# Re-run from anywhere:  bash scripts/vendor-gcds.sh
# Needs: bash, node + npm (npm registry access), tar. Writes ONLY:
#   src/loaportal/core/static/gcds/    (@gcds-core/components dist/gcds, patched)
#   src/loaportal/core/static/fonts/   (woff2 fonts + fonts.css + licences)
#
# Every package is pinned to an exact version and checked against the npm
# registry's sha512 integrity, so a re-run produces the same files.
# To upgrade: change a version below, run `npm view <pkg>@<ver> dist.integrity`,
# paste the new integrity, re-run, review the diff (the patch step fails loudly
# if the upstream CSS no longer matches what it expects).
set -euo pipefail

# --- pinned packages: "name@version integrity" ------------------------------
GCDS_COMPONENTS="@gcds-core/components@1.3.1"
GCDS_COMPONENTS_SRI="sha512-cCgqrVXZm4qatWbNRwYIOVsTNbk4DRicqIosGlpY1w26op6DxZRI4heblJ/VaFi/YsoL78MMyqQzd1u5jylhqg=="
GCDS_FONTS="@gcds-core/fonts@1.1.1"            # only for the gcds-icons icon font
GCDS_FONTS_SRI="sha512-uSHciBE6zOorlw35gNHhCwompgtRFAq/r+ccuAZuhCS6iH7KbhN2UIctRldxaeLDE07yjMlstU20xkegNkwmpw=="
FS_LATO="@fontsource/lato@5.3.0"
FS_LATO_SRI="sha512-0WhF/4rhrw+ErIyneKvhHn2YAl+xf8GDtllgOgOzDmeaSlLQtjpChXaQOpWhG2BchQW0WJy2zLV12Hdg0ndOMw=="
FS_NOTO="@fontsource/noto-sans@5.3.0"
FS_NOTO_SRI="sha512-fBCog2PY7DiVVTEEqtI/Qdinx/knobHYfoGpjFXdfBX5RoJaBp1Prw2G75p0OIsdlMZg3cLo0c+YbIUYOxnQJw=="
FS_MONO="@fontsource/noto-sans-mono@5.3.0"
FS_MONO_SRI="sha512-DPZ+/Ng9HP5UKiALCKtoeGfA7zJzEjHFB/18OU/c3+4I9zZ3eMVAuFZb0SqzT89Yj7KNhJFYnYjyDaVKhdRuUg=="

# Font families/weights that gcds.css 1.3.1 asks Google Fonts for
# (Lato 400/700 + italics, Noto Sans 300-700 + italics, Noto Sans Mono).
# GCDS only uses Noto Sans Mono at weight 400 (--gcds-font-text-mono), so the
# mono font is vendored at 400 only. Subsets: latin + latin-ext.
LATO_WEIGHTS="400 700"
NOTO_WEIGHTS="300 400 500 600 700"
MONO_WEIGHTS="400"
SUBSETS="latin-ext latin"

# --- paths ------------------------------------------------------------------
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$REPO_ROOT/src/loaportal/core/static"
GCDS_OUT="$STATIC/gcds"
FONTS_OUT="$STATIC/fonts"

command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch PKG@VER SRI -> unpacks into $WORK/<dir>/package, prints that path
fetch() {
  local spec="$1" sri="$2" dir tgz actual
  dir="$WORK/$(echo "$spec" | tr '@/' '__')"
  mkdir -p "$dir"
  tgz="$(cd "$dir" && npm pack --silent "$spec" | tail -n 1)"
  actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$dir/$tgz")"
  if [[ "$actual" != "$sri" ]]; then
    echo "integrity mismatch for $spec: got $actual, expected $sri" >&2
    exit 1
  fi
  tar -xzf "$dir/$tgz" -C "$dir"
  echo "$dir/package"
}

echo "Fetching pinned packages from the npm registry..."
P_GCDS="$(fetch "$GCDS_COMPONENTS" "$GCDS_COMPONENTS_SRI")"
P_GFONTS="$(fetch "$GCDS_FONTS" "$GCDS_FONTS_SRI")"
P_LATO="$(fetch "$FS_LATO" "$FS_LATO_SRI")"
P_NOTO="$(fetch "$FS_NOTO" "$FS_NOTO_SRI")"
P_MONO="$(fetch "$FS_MONO" "$FS_MONO_SRI")"

# --- 1. GCDS components -------------------------------------------------------
echo "Copying $GCDS_COMPONENTS dist/gcds -> $GCDS_OUT"
rm -rf "$GCDS_OUT"
mkdir -p "$GCDS_OUT"
cp -R "$P_GCDS/dist/gcds/." "$GCDS_OUT/"
find "$GCDS_OUT" -name '*.map' -type f -delete

# The npm tarball ships no LICENSE file; its package.json declares MIT.
if [[ -f "$P_GCDS/LICENSE" ]]; then
  cp "$P_GCDS/LICENSE" "$GCDS_OUT/LICENSE"
else
  node - "$P_GCDS/package.json" "$GCDS_OUT/LICENSE" <<'EOF'
const fs = require('fs');
const [pkgPath, out] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
if (pkg.license !== 'MIT') throw new Error(`unexpected licence ${pkg.license}`);
const repo = (pkg.repository && pkg.repository.url || '').replace(/^git\+/, '');
fs.writeFileSync(out, `${pkg.name} ${pkg.version}
Source: ${repo}
Licence: ${pkg.license} (as declared in the package's package.json; the npm
tarball ships no LICENSE file, so the standard MIT text is reproduced below).
Author: ${pkg.author}

Vendored by scripts/vendor-gcds.sh: dist/gcds/ copied unchanged except that
gcds.css no longer loads fonts from outside origins (see fonts/fonts.css).

MIT License

Copyright (c) ${pkg.author}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`);
EOF
fi

# --- 2. fonts -----------------------------------------------------------------
echo "Writing self-hosted fonts -> $FONTS_OUT"
rm -rf "$FONTS_OUT"
mkdir -p "$FONTS_OUT"/{lato,noto-sans,noto-sans-mono,gcds-icons}
cp "$P_LATO/LICENSE" "$FONTS_OUT/lato/LICENSE"
cp "$P_NOTO/LICENSE" "$FONTS_OUT/noto-sans/LICENSE"
cp "$P_MONO/LICENSE" "$FONTS_OUT/noto-sans-mono/LICENSE"
# gcds-icons is only published as eot/ttf/woff/svg; woff is the smallest modern one.
cp "$P_GFONTS/fonts/icons/gcds-icons.woff" "$FONTS_OUT/gcds-icons/gcds-icons.woff"
cp "$P_GFONTS/fonts/icons/LICENSE.txt" "$FONTS_OUT/gcds-icons/LICENSE.txt"

# Build fonts.css from the Fontsource per-weight CSS (keeps their exact
# unicode-range values), woff2 only, relative URLs; copy the woff2 files used.
node - "$FONTS_OUT" "$SUBSETS" \
  "lato|$P_LATO|$LATO_WEIGHTS|normal italic|$FS_LATO" \
  "noto-sans|$P_NOTO|$NOTO_WEIGHTS|normal italic|$FS_NOTO" \
  "noto-sans-mono|$P_MONO|$MONO_WEIGHTS|normal|$FS_MONO" \
  "$GCDS_FONTS" <<'EOF'
const fs = require('fs');
const path = require('path');
const [out, subsetsArg, ...rest] = process.argv.slice(2);
const gcdsFontsSpec = rest.pop();
const subsets = subsetsArg.split(' ');
let css = `/* Self-hosted fonts for the GC Design System (generated by scripts/vendor-gcds.sh;
 * do not edit by hand). Replaces the Google Fonts @import and the GCDS icon-font
 * CDN URLs of @gcds-core/components gcds.css, which @imports this file.
 * Sources: ${rest.map(r => r.split('|')[4]).join(', ')}, ${gcdsFontsSpec} (gcds-icons).
 * Licences: SIL OFL 1.1, see the LICENSE file in each sub-folder.
 * Subsets: ${subsets.join(', ')}. */
`;
for (const spec of rest) {
  const [dir, pkgDir, weights, styles] = spec.split('|');
  for (const w of weights.split(' ')) {
    for (const style of styles.split(' ')) {
      const file = path.join(pkgDir, style === 'italic' ? `${w}-italic.css` : `${w}.css`);
      const text = fs.readFileSync(file, 'utf8');
      const blocks = text.split(/(?=\/\* )/).filter(b => b.includes('@font-face'));
      for (const subset of subsets) {
        const name = `${dir}-${subset}-${w}-${style}`;
        const block = blocks.find(b => b.startsWith(`/* ${name} */`));
        if (!block) throw new Error(`no @font-face for ${name} in ${file}`);
        const woff2 = `${name}.woff2`;
        if (!block.includes(`url(./files/${woff2}) format('woff2')`)) throw new Error(`unexpected src in ${name}`);
        fs.copyFileSync(path.join(pkgDir, 'files', woff2), path.join(out, dir, woff2));
        css += '\n' + block.trim()
          .replace(/src:[^;]*;/, `src: url(./${dir}/${woff2}) format('woff2');`) + '\n';
      }
    }
  }
}
css += `
/* gcds-icons (used by <gcds-icon> inside alerts, notices, error messages, links...) */
@font-face {
  font-family: 'gcds-icons';
  font-style: normal;
  font-display: block;
  font-weight: 400;
  src: url(./gcds-icons/gcds-icons.woff) format('woff');
}
`;
fs.writeFileSync(path.join(out, 'fonts.css'), css);
EOF

# --- patch gcds.css: no outside origins -----------------------------------------
node - "$GCDS_OUT/gcds.css" <<'EOF'
const fs = require('fs');
const file = process.argv[2];
let css = fs.readFileSync(file, 'utf8');
// 1. Google Fonts @import -> our self-hosted fonts.css (same position: @import must stay first)
const gf = /@import url\("https:\/\/fonts\.googleapis\.com\/[^"]*"\);/g;
if ((css.match(gf) || []).length !== 1) throw new Error('gcds.css: Google Fonts @import not found exactly once');
css = css.replace(gf, '@import url("../fonts/fonts.css");');
// 2. gcds-icons @font-face pointing at the GC CDN -> removed (defined in fonts.css)
const icons = /@font-face\{[^}]*font-family:gcds-icons;[^}]*\}/g;
const m = css.match(icons) || [];
if (m.length !== 1 || !m[0].includes('https://cdn.design-system.canada.ca/')) throw new Error('gcds.css: icon @font-face not found as expected');
css = css.replace(icons, '');
// 3. nothing loadable from an outside origin may remain
const ext = css.match(/(@import|url\()\s*["']?\s*(https?:)?\/\//gi);
if (ext) throw new Error('gcds.css still references an outside origin: ' + ext.join(', '));
fs.writeFileSync(file, css);
EOF

# --- final checks ---------------------------------------------------------------
# No url()/@import to another origin in any vendored CSS, no sourcemap comments.
if grep -rEn --include='*.css' '(@import|url\()[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//' "$GCDS_OUT" "$FONTS_OUT"; then
  echo "outside-origin reference left in vendored CSS" >&2; exit 1
fi
if grep -rln 'sourceMappingURL' "$GCDS_OUT" "$FONTS_OUT"; then
  echo "sourceMappingURL comment left (would break ManifestStaticFilesStorage once .map files are gone)" >&2; exit 1
fi

echo "Done:"
du -sh "$GCDS_OUT" "$FONTS_OUT"
