#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and a storage:
#   scripts/restore.sh BACKUP_DIR
# Environment: the portal's, with DATABASE_URL naming the empty target database as a role that
# may create tables (the owner role, or a superuser: then run scripts/postgresql-roles.sql
# after it, deploy/RUNBOOK.md), DOCUMENTS_STORAGE_URL the target storage, and the SAME
# SECRET_KEY (queued emails) and AUDIT_HMAC_KEY (the audit chain) as when it was made.
set -euo pipefail
SOURCE="${1:?usage: scripts/restore.sh BACKUP_DIR}"
LOAPORTAL="${LOAPORTAL:-loaportal}"
: "${DATABASE_URL:?DATABASE_URL must name the empty target database}"
(cd "$SOURCE" && sha256sum --check --quiet SHA256SUMS)
pg_restore --exit-on-error --no-owner --no-privileges --dbname "$DATABASE_URL" "$SOURCE/database.dump"
# Brings the schema up to this version of the portal and reinstalls the audit triggers.
"$LOAPORTAL" migrate --noinput
"$LOAPORTAL" import_documents "$SOURCE/documents"
"$LOAPORTAL" verify_audit
"$LOAPORTAL" verify_storage
echo "Restored $SOURCE"
