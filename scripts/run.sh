#!/usr/bin/env bash
# Start the web server and the background worker together; stop both on Ctrl-C.
# The worker is supervised: if it dies (killed, out of memory…), it is started again, so emails
# keep leaving while the portal runs.
set -euo pipefail
BIN="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin"
PORT="${PORT:-8000}"
export PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:${PORT}}"
"$BIN/loaportal" load_demo
"$BIN/loaportal" load_demo_verifications
"$BIN/loaportal" load_demo_amendments

supervise_worker() {
  local child="" delay=1 started status
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
  while true; do
    started=$SECONDS
    "$BIN/loaportal" worker &
    child=$!
    status=0
    wait "$child" || status=$?
    child=""
    # A worker that ran a while gets a quick restart; one that keeps dying, a slower one.
    if (( SECONDS - started > 60 )); then delay=1; fi
    echo "The worker stopped (exit status ${status}); starting it again in ${delay} s." >&2
    sleep "$delay"
    delay=$(( delay < 30 ? delay * 2 : 30 ))
  done
}

supervise_worker &
supervisor=$!
trap 'kill "$supervisor" 2>/dev/null || true' EXIT INT TERM
echo
echo "LOA Portal: http://127.0.0.1:${PORT}/  (French: /fr/, English: /en/)"
if [ -z "${EMAIL_URL:-}" ]; then
  echo "Mailbox (emails and codes, from this machine only): http://127.0.0.1:${PORT}/fr/boite-aux-lettres/  or  /en/mailbox/"
fi
echo
"$BIN/loaportal" runserver "127.0.0.1:${PORT}" --noreload
