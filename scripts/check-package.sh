#!/usr/bin/env bash
# `pip install .` alone must give a working portal: build the wheel, install it into a fresh
# virtual environment outside the source tree, migrate, check, and serve pages (French
# included) and static assets, through the installed `loaportal` command.
#
# Kept cheap, as `make test` runs it beside the test suite: the new environment gets no pip
# of its own (the project's pip installs into it with --python), and no bytecode is compiled
# at install time (Python compiles what it imports). What is installed is still exactly what
# `pip install <wheel>` resolves from the package index: the wheel and its declared
# dependencies, nothing from the development environment.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pip=("$root/.venv/bin/python" -m pip --quiet --disable-pip-version-check)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"${pip[@]}" wheel --no-deps -w "$work/dist" "$root"
python3 -m venv --without-pip "$work/venv"
"${pip[@]}" --python "$work/venv/bin/python" install --no-compile "$work"/dist/loaportal-*.whl
cd "$work"
export LOAPORTAL_VAR_DIR="$work/var" ALLOWED_HOSTS=testserver
# One process (Django starts once): migrate, the system checks, then the pages.
"$work/venv/bin/loaportal" shell --no-imports -c '
from django.core.management import call_command
from django.test import Client

call_command("migrate", interactive=False, verbosity=0)
call_command("check", fail_level="WARNING")
client = Client()
for url in ("/fr/", "/en/account/sign-in/", "/static/gcds/gcds.esm.js", "/static/fonts/fonts.css"):
    status = client.get(url).status_code
    assert status == 200, (url, status)
page = client.get("/fr/compte/inscription/").content.decode()
assert "Adresse électronique" in page, "the compiled French catalog is missing from the wheel"
print("package check: the installed wheel serves pages, static assets and French")
'
