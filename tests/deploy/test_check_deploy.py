"""``loaportal check --deploy`` under production settings prints no warning, with the settings
``make prod`` and deploy/ use (PostgreSQL, Redis, the Redis queue, S3 documents)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def _check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "LOAPORTAL_ENVIRONMENT": "production",
        "LOAPORTAL_VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "ALLOWED_HOSTS": "loaportal.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }
    env.pop("DEBUG", None)
    return subprocess.run(  # noqa: S603 (our own command)
        [str(BIN / "loaportal"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = _check(
        tmp_path,
        REDIS_URL="redis://127.0.0.1:6379/0",
        TASKS_BACKEND="redis",
        DOCUMENTS_STORAGE_URL="s3://loaportal-documents/documents?region=ca-central-1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_refuses_a_weak_key(tmp_path):
    result = _check(tmp_path, SECRET_KEY="short")
    assert result.returncode != 0
    assert "loaportal.E002" in result.stderr
