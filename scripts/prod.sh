#!/usr/bin/env bash
# `make prod`: the portal as it runs in production, on this one machine (README "Operations").
#
#   gunicorn (deploy/gunicorn.conf.py: 2 workers per core, 4 threads each) over HTTPS with a
#     self-signed certificate, LOAPORTAL_ENVIRONMENT=production;
#   PostgreSQL on 127.0.0.1:5432 (database `loaportal`; migrations as loaportal_owner, the
#     portal as loaportal_app: scripts/postgresql-roles.sql);
#   Redis on 127.0.0.1:6379 for the cache, the sessions' fast path and the task queue;
#   two task workers and one scheduler (`loaportal worker --no-scheduler` / `--scheduler`);
#   documents in an S3-compatible store: moto's server on loopback (in memory: documents last
#     as long as it runs; point DOCUMENTS_STORAGE_URL at a real store to keep them);
#   email to a local SMTP server that writes every message to var/prod/mail.log.
#
# Every process is supervised: one that dies is started again. Ctrl-C stops them all.
# Variables: PORT (8443), PROD_REDIS_DB (0), S3_PORT (9000), SMTP_PORT (8025), PROD_DATABASE
# (loaportal), DOCUMENTS_STORAGE_URL (set it to use another store).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/.venv/bin"
PORT="${PORT:-8443}"
S3_PORT="${S3_PORT:-9000}"
SMTP_PORT="${SMTP_PORT:-8025}"
PROD_DATABASE="${PROD_DATABASE:-loaportal}"
STATE="${LOAPORTAL_VAR_DIR:-$ROOT/var}/prod"
mkdir -p "$STATE" && chmod 700 "$STATE"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

# --- Services this machine provides --------------------------------------------------------
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  say "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "Starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
psql -h 127.0.0.1 -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$PROD_DATABASE'" \
  | grep -q 1 || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$PROD_DATABASE\""

# --- Secrets, generated once (in production: from the secret store) ------------------------
secret() {
  local file="$STATE/$1"
  [ -s "$file" ] || (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$file")
  cat "$file"
}
SECRET_KEY="$(secret secret_key)"
AUDIT_HMAC_KEY="$(secret audit_hmac_key)"
if [ ! -s "$STATE/tls.key" ]; then
  say "Making a self-signed TLS certificate for 127.0.0.1 and localhost"
  "$BIN/python" "$ROOT/deploy/selfsigned.py" "$STATE/tls.crt" "$STATE/tls.key"
fi

# --- Children, supervised ------------------------------------------------------------------
pids=()
supervise() {  # supervise NAME COMMAND...: run it, start it again when it dies
  local name="$1"; shift
  (
    child=""
    trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
    delay=1
    while true; do
      started=$SECONDS
      "$@" &
      child=$!
      status=0; wait "$child" || status=$?; child=""
      if (( SECONDS - started > 60 )); then delay=1; fi
      echo "$name stopped (exit status $status); starting it again in $delay s." >&2
      sleep "$delay"; delay=$(( delay < 30 ? delay * 2 : 30 ))
    done
  ) &
  pids+=("$!")
}
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT INT TERM

if [ -z "${DOCUMENTS_STORAGE_URL:-}" ]; then
  supervise "The object store" "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break; sleep 0.2; done
  export AWS_ACCESS_KEY_ID=loaportal AWS_SECRET_ACCESS_KEY=loaportal-local
  DOCUMENTS_STORAGE_URL="s3://loaportal-documents/documents?endpoint_url=http://127.0.0.1:${S3_PORT}&region=ca-central-1&sse=AES256"
  "$BIN/python" - "$S3_PORT" <<'EOF'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="ca-central-1")
try:
    s3.create_bucket(Bucket="loaportal-documents",
                     CreateBucketConfiguration={"LocationConstraint": "ca-central-1"})
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
s3.put_public_access_block(Bucket="loaportal-documents", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True,
    "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
EOF
fi
supervise "The mail server" "$BIN/python" "$ROOT/deploy/mailsink.py" 127.0.0.1 "$SMTP_PORT" "$STATE/mail.log"

export LOAPORTAL_ENVIRONMENT=production
export LOAPORTAL_VAR_DIR="$STATE"
export SECRET_KEY AUDIT_HMAC_KEY DOCUMENTS_STORAGE_URL
export REDIS_URL="redis://127.0.0.1:6379/${PROD_REDIS_DB:-0}"
export TASKS_BACKEND=redis
export EMAIL_URL="smtp://127.0.0.1:${SMTP_PORT}"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export PORTAL_URL="https://127.0.0.1:${PORT}"
export DATABASE_CONN_MAX_AGE=60
export LOG_FORMAT="${LOG_FORMAT:-json}"
OWNER_URL="postgres://loaportal_owner@127.0.0.1:5432/$PROD_DATABASE"
APP_URL="postgres://loaportal_app@127.0.0.1:5432/$PROD_DATABASE"

say "Migrating as loaportal_owner (scripts/postgresql-roles.sql before and after)"
psql -h 127.0.0.1 -U postgres -d "$PROD_DATABASE" -q -v ON_ERROR_STOP=1 -f "$ROOT/scripts/postgresql-roles.sql" >/dev/null
DATABASE_URL="$OWNER_URL" "$BIN/loaportal" migrate --noinput
psql -h 127.0.0.1 -U postgres -d "$PROD_DATABASE" -q -v ON_ERROR_STOP=1 -f "$ROOT/scripts/postgresql-roles.sql" >/dev/null
export DATABASE_URL="$APP_URL"
say "loaportal check --deploy"
"$BIN/loaportal" check --deploy --fail-level WARNING

supervise "Worker 1" "$BIN/loaportal" worker --no-scheduler
supervise "Worker 2" "$BIN/loaportal" worker --no-scheduler
supervise "The scheduler" "$BIN/loaportal" worker --scheduler
export GUNICORN_BIND="127.0.0.1:${PORT}" GUNICORN_CERTFILE="$STATE/tls.crt" GUNICORN_KEYFILE="$STATE/tls.key"
supervise "gunicorn" "$BIN/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" loaportal.wsgi:application

for _ in $(seq 1 100); do
  curl -skf "https://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break; sleep 0.3
done
echo
say "LOA Portal (production mode): https://127.0.0.1:${PORT}/  (self-signed certificate)"
echo "  Emails (codes included): $STATE/mail.log"
echo "  Readiness: https://127.0.0.1:${PORT}/readyz   Metrics (from this machine): /metrics"
echo "  First officer: DATABASE_URL=$APP_URL LOAPORTAL_ENVIRONMENT=production … loaportal createsuperuser"
echo "  (the runbook, deploy/RUNBOOK.md, has the rest)"
wait
