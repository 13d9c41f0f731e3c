"""The runbook's backup-and-restore drill (deploy/RUNBOOK.md "Backups"), run as written:
``scripts/backup.sh`` on a portal with data (PostgreSQL, documents in the S3-compatible
store), then ``scripts/restore.sh`` into an empty database and an empty bucket; the restored
portal has every request, decision and document, an intact audit trail, and no document
missing."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.notifications.faults import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="pg_dump and pg_restore need PostgreSQL: run with DATABASE_URL=postgres://… "
    "(as .ci/run's PostgreSQL pass does)",
)

DATA = """
import json
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request
dli = dli_with_users(name="drill", secondaries=0)
requests = [make_request(dli.institution) for _ in range(3)]
verification_decide(verification_request=requests[0], outcome="verified_matched", comment="",
                    decided_by=dli.primary)
print(json.dumps(1))
"""

STATE = """
import json
from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationRequest
print(json.dumps({
    "requests": [[r.application_number, r.status, r.decided_by_id, r.document.name,
                  r.document.read().hex()] for r in VerificationRequest.objects.order_by("pk")],
    "audit": AuditEvent.objects.count(),
}))
"""


def _run(args, env, **kwargs):
    result = subprocess.run(  # noqa: S603 (our own scripts)
        args, env=env, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def _shell(env, code):
    return json.loads(_run([str(BIN / "loaportal"), "shell", "-c", code], env).splitlines()[-1])


def test_backup_then_restore_into_an_empty_database_and_bucket(tmp_path, object_store):
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    admin = server._replace(path="/postgres").geturl()
    names = [f"loaportal_drill_{os.getpid()}_{free_port()}" for _ in range(2)]
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        base = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_", "REDIS_"))
            },
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "PYTHONPATH": str(REPO),
            "LOAPORTAL_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
            "TASKS_BACKEND": "immediate",
        }
        source = {
            **base,
            "DATABASE_URL": server._replace(path=f"/{names[0]}").geturl(),
            "DOCUMENTS_STORAGE_URL": object_store.url(object_store.create_bucket()),
        }
        target = {
            **base,
            "DATABASE_URL": server._replace(path=f"/{names[1]}").geturl(),
            "DOCUMENTS_STORAGE_URL": object_store.url(object_store.create_bucket()),
        }
        _run([str(BIN / "loaportal"), "migrate", "--noinput", "-v", "0"], source)
        _shell(source, DATA)
        before = _shell(source, STATE)

        backup = _run(
            ["bash", str(REPO / "scripts" / "backup.sh"), str(tmp_path / "backups")], source
        )
        made = Path(backup.strip().splitlines()[-1])
        assert (made / "database.dump").stat().st_size > 0
        assert len(list((made / "documents").rglob("*.pdf"))) == 3

        restored = _run(["bash", str(REPO / "scripts" / "restore.sh"), str(made)], target)
        assert "3 document(s) checked, 0 missing" in restored
        after = _shell(target, STATE)
        assert after == before
        # The audit chain's head is the one recorded at backup time.
        head = (made / "audit-head.txt").read_text().strip().splitlines()[-1]
        assert head in _run([str(BIN / "loaportal"), "verify_audit"], target)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
