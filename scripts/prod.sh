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
# Every process is supervised: one that dies is started again. Ctrl-C (or SIGTERM to this
# script) stops them all.
#
# Variables (defaults in brackets); each lets several copies run side by side (tests/deploy):
#   PORT [8443]            the first gunicorn instance's port;
#   INSTANCES [1]          gunicorn instances, on PORT, PORT+1, … (INSTANCES=2: two instances
#                          sharing everything else, as behind a load balancer with no sticky
#                          sessions);
#   WEB_CONCURRENCY, GUNICORN_THREADS   processes and threads per instance (deploy/gunicorn.conf.py);
#   TASK_WORKERS [2]       `loaportal worker` processes (plus one scheduler);
#   PG_HOST [127.0.0.1], PG_PORT [5432], PROD_DATABASE [loaportal];
#   REDIS_HOST [127.0.0.1], REDIS_PORT [6379], PROD_REDIS_DB [0];
#   S3_PORT [9000], SMTP_PORT [8025];
#   PROD_STATE_DIR [$LOAPORTAL_VAR_DIR/prod, else var/prod]: secrets, TLS key, mail.log;
#   DOCUMENTS_STORAGE_URL  set it to use another object store than the local one.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/.venv/bin"
PORT="${PORT:-8443}"
INSTANCES="${INSTANCES:-1}"
TASK_WORKERS="${TASK_WORKERS:-2}"
S3_PORT="${S3_PORT:-9000}"
SMTP_PORT="${SMTP_PORT:-8025}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
PROD_DATABASE="${PROD_DATABASE:-loaportal}"
STATE="${PROD_STATE_DIR:-${LOAPORTAL_VAR_DIR:-$ROOT/var}/prod}"
mkdir -p "$STATE" && chmod 700 "$STATE"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

# --- Services this machine provides --------------------------------------------------------
PSQL=(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres)
if ! pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; then
  say "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h "$PG_HOST" -p "$PG_PORT" -q && break; sleep 1; done
fi
if ! redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "Starting Redis"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
"${PSQL[@]}" -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$PROD_DATABASE'" \
  | grep -q 1 || "${PSQL[@]}" -d postgres -qc "CREATE DATABASE \"$PROD_DATABASE\""

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
export REDIS_URL="redis://${REDIS_HOST}:${REDIS_PORT}/${PROD_REDIS_DB:-0}"
export TASKS_BACKEND=redis
export EMAIL_URL="smtp://127.0.0.1:${SMTP_PORT}"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export PORTAL_URL="https://127.0.0.1:${PORT}"
export DATABASE_CONN_MAX_AGE=60
export LOG_FORMAT="${LOG_FORMAT:-json}"
OWNER_URL="postgres://loaportal_owner@${PG_HOST}:${PG_PORT}/$PROD_DATABASE"
APP_URL="postgres://loaportal_app@${PG_HOST}:${PG_PORT}/$PROD_DATABASE"

say "Migrating as loaportal_owner (scripts/postgresql-roles.sql before and after)"
"${PSQL[@]}" -d "$PROD_DATABASE" -q -v ON_ERROR_STOP=1 -f "$ROOT/scripts/postgresql-roles.sql" >/dev/null
DATABASE_URL="$OWNER_URL" "$BIN/loaportal" migrate --noinput
"${PSQL[@]}" -d "$PROD_DATABASE" -q -v ON_ERROR_STOP=1 -f "$ROOT/scripts/postgresql-roles.sql" >/dev/null
export DATABASE_URL="$APP_URL"
say "loaportal check --deploy"
"$BIN/loaportal" check --deploy --fail-level WARNING

for n in $(seq 1 "$TASK_WORKERS"); do
  supervise "Worker $n" "$BIN/loaportal" worker --no-scheduler
done
supervise "The scheduler" "$BIN/loaportal" worker --scheduler
export GUNICORN_CERTFILE="$STATE/tls.crt" GUNICORN_KEYFILE="$STATE/tls.key"
urls=()
for i in $(seq 0 $(( INSTANCES - 1 ))); do
  port=$(( PORT + i ))
  # Each instance its own bind address (the variable is read by deploy/gunicorn.conf.py).
  GUNICORN_BIND="127.0.0.1:${port}" supervise "gunicorn (port $port)" \
    "$BIN/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" loaportal.wsgi:application
  urls+=("https://127.0.0.1:${port}/")
done

for url in "${urls[@]}"; do
  for _ in $(seq 1 100); do
    curl -skf "${url}healthz" >/dev/null 2>&1 && break; sleep 0.3
  done
done
echo
say "LOA Portal (production mode): ${urls[*]}  (self-signed certificate)"
echo "  Emails (codes included): $STATE/mail.log"
echo "  Readiness: ${urls[0]}readyz   Metrics (from this machine): /metrics"
echo "  First officer: DATABASE_URL=$APP_URL LOAPORTAL_ENVIRONMENT=production … loaportal createsuperuser"
echo "  (the runbook, deploy/RUNBOOK.md, has the rest)"
wait
