"""The development mailbox shows every emailed code without a sign-in: it exists only with no
mail server, outside production, for a visitor on this machine. Elsewhere: 404."""

import pytest

from loaportal.invitations.services import invitation_send
from tests.factories import InstitutionFactory

MAILBOX = "/en/mailbox/"


@pytest.fixture
def kept_invitation(transactional_db, settings):
    settings.EMAIL_BACKEND = "loaportal.notifications.backends.MailboxBackend"
    return invitation_send(institution=InstitutionFactory(), email="new@college.example")


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1"])
def test_served_on_loopback_in_development(client, kept_invitation, address):
    response = client.get(MAILBOX, REMOTE_ADDR=address)
    assert response.status_code == 200 and b"new@college.example" in response.content
    landing = client.get("/en/", REMOTE_ADDR=address)
    assert MAILBOX.encode() in landing.content


@pytest.mark.parametrize("address", ["192.0.2.10", "10.0.0.5", "2001:db8::1", ""])
def test_absent_for_a_visitor_from_another_machine(client, kept_invitation, address):
    from loaportal.notifications.models import MailboxMessage

    message = MailboxMessage.objects.get()
    assert client.get(MAILBOX, REMOTE_ADDR=address).status_code == 404
    detail = client.get(f"/fr/boite-aux-lettres/{message.pk}/", REMOTE_ADDR=address)
    assert detail.status_code == 404 and kept_invitation.code.encode() not in detail.content
    assert MAILBOX.encode() not in client.get("/en/", REMOTE_ADDR=address).content


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"])
def test_absent_through_a_proxy_on_this_machine(client, kept_invitation, header):
    # A reverse proxy on the same host connects from loopback on behalf of anyone.
    assert (
        client.get(MAILBOX, REMOTE_ADDR="127.0.0.1", **{header: "203.0.113.7"}).status_code == 404
    )


def test_absent_when_a_mail_server_is_configured(client, kept_invitation, settings):
    settings.EMAIL_URL = "smtp://127.0.0.1:25"
    assert client.get(MAILBOX).status_code == 404
    assert MAILBOX.encode() not in client.get("/en/").content


def test_absent_in_production(client, kept_invitation, settings):
    settings.PRODUCTION = True
    assert client.get(MAILBOX).status_code == 404


def load_settings(monkeypatch, **env):
    """A fresh evaluation of the settings module under ``env`` (Django's own stay untouched)."""
    import importlib.util

    import loaportal.settings

    monkeypatch.delenv("EMAIL_URL", raising=False)
    monkeypatch.delenv("LOAPORTAL_ENVIRONMENT", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "k" * 50)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_probe", loaportal.settings.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_settings_never_enable_it_with_a_mail_server_or_in_production(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    smtp = "smtp://127.0.0.1:25"
    assert load_settings(monkeypatch).MAILBOX_ENABLED is True
    assert load_settings(monkeypatch, EMAIL_URL=smtp).MAILBOX_ENABLED is False
    production = {"LOAPORTAL_ENVIRONMENT": "production"}
    assert load_settings(monkeypatch, EMAIL_URL=smtp, **production).MAILBOX_ENABLED is False
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must be set in production"):
        load_settings(monkeypatch, **production)
