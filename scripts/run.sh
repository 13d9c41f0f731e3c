#!/usr/bin/env bash
# Start the web server and the background worker together; stop both on Ctrl-C.
set -euo pipefail
BIN="$(dirname "$0")/../.venv/bin"
PORT="${PORT:-8000}"
export PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:${PORT}}"
"$BIN/loaportal" load_demo
"$BIN/loaportal" worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "LOA Portal: http://127.0.0.1:${PORT}/  (French: /fr/, English: /en/)"
if [ -z "${EMAIL_URL:-}" ]; then
  echo "Mailbox (emails and codes): http://127.0.0.1:${PORT}/fr/boite-aux-lettres/  or  /en/mailbox/"
fi
echo
"$BIN/loaportal" runserver "127.0.0.1:${PORT}" --noreload
