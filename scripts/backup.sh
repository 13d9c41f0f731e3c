#!/usr/bin/env bash
# Back up LOA Portal: the PostgreSQL database, then every stored document, into DEST/<UTC time>/.
#   scripts/backup.sh DEST
# Environment: the portal's (DOCUMENTS_STORAGE_URL, SECRET_KEY, AUDIT_HMAC_KEY, …) and
# BACKUP_DATABASE_URL, a role that can read every table (loaportal_owner; default DATABASE_URL).
# The database first: documents written after the dump are extra files in the backup
# (orphans after a restore, which the hourly sweep deletes), never missing ones. Do not run it
# while `loaportal purge_documents` runs. Keys are NOT in the backup: keep SECRET_KEY and
# AUDIT_HMAC_KEY in the secret store (deploy/RUNBOOK.md).
set -euo pipefail
DEST="${1:?usage: scripts/backup.sh DEST}"
LOAPORTAL="${LOAPORTAL:-loaportal}"
DATABASE="${BACKUP_DATABASE_URL:-${DATABASE_URL:?DATABASE_URL or BACKUP_DATABASE_URL must be set}}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
TARGET="$DEST/$STAMP"
umask 077
mkdir -p "$TARGET"
pg_dump --format=custom --file "$TARGET/database.dump" "$DATABASE"
"$LOAPORTAL" export_documents "$TARGET/documents"
# The audit trail's head (position and hash) at backup time: compare after a restore.
"$LOAPORTAL" verify_audit > "$TARGET/audit-head.txt"
(cd "$TARGET" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "$TARGET"
