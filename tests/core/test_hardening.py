"""Issue 6, item 9: no copy of personal pages kept by browsers or proxies; a health probe that
says 503 when the database is down and answers over plain HTTP in production; a production
start that refuses DEBUG and short keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from tests import flows
from tests.factories import MembershipFactory, OfficerFactory

GOOD_KEY = "k7Rq2vX9pL4mN8sT1wY6zA3bC5dE0fG-hJ_iKlMnOpQrStUvWxYz0123456789"


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_page_with_personal_data_is_no_store(smtp):
    member = MembershipFactory(role="primary")
    client = flows.signed_in_client(smtp, email=member.user.email)
    for name in ("home", "invitations:users", "audit:log", "account_sessions", "terms"):
        response = client.get(flows.url(name))
        assert response.status_code == 200, name
        assert _no_store(response), name
    # Even a public page, once signed in: the header names the person.
    assert _no_store(client.get(flows.url("privacy")))

    officer = OfficerFactory()
    officer_client = flows.signed_in_client(smtp, email=officer.email)
    for name in (
        "officers:dli_list",
        "officers:user_change_request_list",
        "admin:audit_auditevent_changelist",
    ):
        response = officer_client.get(flows.url(name))
        assert response.status_code == 200, name
        assert _no_store(response), name


def test_a_sign_in_half_way_is_no_store(smtp):
    """The code page names the address the code went to."""
    member = MembershipFactory()
    client = Client()
    response = client.post(
        flows.url("account_login"), {"login": member.user.email, "password": flows.PASSWORD}
    )
    code_page = client.get(response["Location"])
    assert code_page.status_code == 200
    assert _no_store(code_page)


@pytest.mark.django_db
def test_public_pages_for_an_anonymous_visitor_may_be_cached():
    response = Client().get(flows.url("privacy"))
    assert response.status_code == 200 and not _no_store(response)


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _portal(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with the portal's settings and ``env``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "DEBUG",
            "SECRET_KEY",
            "LOAPORTAL_ENVIRONMENT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="loaportal.settings",
        LOAPORTAL_VAR_DIR=str(tmp_path),
        TASKS_BACKEND="immediate",
        **env,
    )
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PROBE = """
import django, json
django.setup()
from django.test import Client
for path, host in (("/healthz", "10.0.0.5"), ("/en/", "portal.example")):
    r = Client().get(path, HTTP_HOST=host)
    print(json.dumps([path, r.status_code, r.get("Location"), r.content.decode()[:200]]))
"""

PRODUCTION = {
    "LOAPORTAL_ENVIRONMENT": "production",
    "SECRET_KEY": GOOD_KEY,
    "AUDIT_HMAC_KEY": GOOD_KEY[::-1],
    "EMAIL_URL": "smtp://127.0.0.1:1",
    "ALLOWED_HOSTS": "portal.example",
}


def _probe(tmp_path, **env) -> dict[str, list]:
    result = _portal(PROBE, tmp_path, **env)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[")]
    return {line[0]: line[1:] for line in lines}


def test_health_answers_over_plain_http_in_production_while_the_rest_redirects(tmp_path):
    answers = _probe(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **PRODUCTION)
    status, _, body = answers["/healthz"]
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, location, _ = answers["/en/"]
    assert status == 301 and location.startswith("https://portal.example/")


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:1/loaportal",  # nothing listens there
        "sqlite:////nonexistent-directory/loaportal.sqlite3",
    ],
)
def test_health_says_503_in_json_when_the_database_is_down(tmp_path, database_url):
    answers = _probe(tmp_path, DATABASE_URL=database_url, **PRODUCTION)
    status, _, body = answers["/healthz"]
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}


CHECK = """
import sys
from django.core.management import execute_from_command_line
execute_from_command_line(["loaportal", "check", "--deploy", "--fail-level", "ERROR"])
"""


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"DEBUG": "true"}, "loaportal.E001"),
        ({"SECRET_KEY": "short-but-set"}, "loaportal.E002"),
        ({"SECRET_KEY": "a" * 60}, "loaportal.E002"),
        ({"AUDIT_HMAC_KEY": "tiny"}, "loaportal.E003"),
    ],
)
def test_check_deploy_refuses_debug_and_weak_keys_in_production(tmp_path, env, error):
    result = _portal(
        CHECK,
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **{**PRODUCTION, **env},
    )
    assert result.returncode != 0
    assert error in result.stderr
    assert "ERRORS:" in result.stderr


def test_check_deploy_passes_with_sound_production_settings(tmp_path):
    result = _portal(
        CHECK, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "loaportal.E0" not in result.stderr
