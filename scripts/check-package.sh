#!/usr/bin/env bash
# `pip install .` alone must give a working portal: build the wheel, install it into a fresh
# virtual environment outside the source tree, migrate, and serve a page and a static asset.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/.venv/bin/python" -m pip wheel --quiet --no-deps -w "$work/dist" "$root"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/loaportal-*.whl
cd "$work"
export LOAPORTAL_VAR_DIR="$work/var" ALLOWED_HOSTS=testserver
"$work/venv/bin/loaportal" migrate --noinput -v0
"$work/venv/bin/loaportal" check --fail-level WARNING
"$work/venv/bin/python" - <<'PY'
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loaportal.settings")
import django

django.setup()
from django.test import Client

client = Client()
for url in ("/fr/", "/en/account/sign-in/", "/static/gcds/gcds.esm.js", "/static/fonts/fonts.css"):
    status = client.get(url).status_code
    assert status == 200, (url, status)
page = client.get("/fr/compte/inscription/").content.decode()
assert "Adresse électronique" in page, "the compiled French catalog is missing from the wheel"
print("package check: the installed wheel serves pages, static assets and French")
PY
