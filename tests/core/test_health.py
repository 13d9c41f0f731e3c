"""/readyz, /metrics and the 503 page (core.health, core.views.server_error)."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from loaportal.notifications.services import RenderedEmail, email_send

pytestmark = pytest.mark.django_db


def test_readyz_reports_every_part(client, settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) >= {"database", "cache", "storage", "queue"}
    assert body["checks"]["storage"] == "local"
    assert body["checks"]["queue"] == {"depth": 0.0, "oldest_email_age_seconds": 0.0}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_unavailable_when_the_storage_is(client, settings, tmp_path):
    blocked = tmp_path / "documents"
    blocked.write_bytes(b"")  # a file where the folder should be
    settings.VERIFICATION_DOCUMENTS_DIR = blocked
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "error" in response.json()["checks"]["storage"]


def test_readyz_says_how_old_the_oldest_waiting_email_is(client, settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    email_send(to="a@b.example", email=RenderedEmail(subject="s", body="b", kind="notice"))
    queue = client.get("/readyz").json()["checks"]["queue"]
    assert queue["depth"] == 1.0 and queue["oldest_email_age_seconds"] >= 0


def test_metrics_in_prometheus_format_from_this_machine_only(client, settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    client.get("/en/")
    text = client.get("/metrics").content.decode()
    for name in (
        "loaportal_http_responses_total",
        "loaportal_email_queue_depth",
        "loaportal_email_oldest_waiting_seconds",
        'loaportal_emails{status="sent"}',
        'loaportal_verification_deadlines_passed{recorded="yes"}',
    ):
        assert name in text
    assert "# TYPE loaportal_http_responses_total counter" in text
    assert 'loaportal_http_responses_total{status="200"}' in text
    # Another address: nothing, unless it has the token.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.get("/metrics").status_code == 404
    assert elsewhere.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    scraped = elsewhere.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert scraped.status_code == 200 and "loaportal_email_queue_depth" in scraped.content.decode()


def test_an_unreachable_database_gives_a_bilingual_503_without_a_traceback(monkeypatch):
    from loaportal.core import views

    def down(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(views, "render", down)
    client = Client(raise_request_exception=False)
    response = client.get("/fr/")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service momentanément indisponible" in html
    assert "Service temporarily unavailable" in html
    assert "OperationalError" not in html and "Traceback" not in html and "127.0.0.1" not in html


def test_any_other_error_is_still_a_500(monkeypatch):
    from loaportal.core import views

    real = views.render
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "render", broken)
    response = Client(raise_request_exception=False).get("/fr/")
    assert response.status_code == 500
