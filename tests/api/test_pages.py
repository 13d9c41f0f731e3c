"""The "API access" page (primary user), the officers' IRCC service tokens, the webhooks page,
and ``loaportal create_api_token``."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from loaportal.api.models import ApiToken
from loaportal.api.services import api_token_authenticate
from loaportal.webhooks.models import WebhookEndpoint
from tests import flows
from tests.factories import OfficerFactory, dli_with_users

TOKEN = re.compile(r"loa_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_primary_creates_a_token_shown_once_then_revokes_it(signed_in, lang):
    dli = dli_with_users(name="page-college", secondaries=1)
    client = signed_in(dli.primary)
    url = flows.url("api:access", lang)
    page = client.get(url)
    assert page.status_code == 200
    assert ("Accès à l" if lang == "fr" else "API access") in page.content.decode()
    response = client.post(url, {"name": "Student information system", "scope": "decide"})
    assert response.status_code == 200
    shown = TOKEN.findall(response.content.decode())
    assert len(shown) == 1
    caller = api_token_authenticate(shown[0])
    assert caller.user == dli.primary and caller.token.scope == "decide"
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    # Never again.
    assert not TOKEN.search(client.get(url).content.decode())
    token = ApiToken.objects.get()
    response = client.post(flows.url("api:token_revoke", lang, pk=token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_secondary_users_and_other_dlis_cannot_manage_tokens(signed_in):
    a, b = dli_with_users(name="a-college", secondaries=1), dli_with_users(name="b-college")
    assert signed_in(a.secondaries[0]).get(flows.url("api:access")).status_code == 403
    signed_in(a.primary).post(flows.url("api:access"), {"name": "SIS", "scope": "read"})
    token = ApiToken.objects.get()
    response = signed_in(b.primary).post(flows.url("api:token_revoke", pk=token.pk))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_officers_create_ircc_service_tokens(signed_in):
    officer = OfficerFactory()
    client = signed_in(officer)
    response = client.post(flows.url("api:officer_tokens"), {"name": "GCMS intake"})
    (value,) = TOKEN.findall(response.content.decode())
    assert api_token_authenticate(value).token.kind == "ircc"


def test_webhooks_page_registers_an_endpoint_with_its_secret_shown_once(signed_in):
    dli = dli_with_users(name="hook-college", secondaries=0)
    client = signed_in(dli.primary)
    url = flows.url("webhooks:endpoints")
    response = client.post(url, {"url": "http://sis.hook-college.example/x"})
    assert "HTTPS" in response.content.decode()
    response = client.post(url, {"url": "https://sis.hook-college.example/loa"})
    assert len(re.findall(r"whsec_[A-Za-z0-9_-]{20,}", response.content.decode())) == 1
    assert not re.search(r"whsec_", client.get(url).content.decode())
    endpoint = WebhookEndpoint.objects.get()
    client.post(flows.url("webhooks:endpoint_remove", pk=endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None


def test_create_api_token_prints_the_token_alone_on_the_last_line(db):
    dli = dli_with_users(name="cli-college", secondaries=0)
    out = StringIO()
    call_command(
        "create_api_token",
        "--dli",
        dli.institution.dli_number,
        "--name",
        "SIS",
        "--scope",
        "decide",
        stdout=out,
    )
    last = out.getvalue().strip().splitlines()[-1]
    assert TOKEN.fullmatch(last)
    caller = api_token_authenticate(last)
    assert caller.user == dli.primary and caller.token.scope == "decide"
    with pytest.raises(CommandError):
        call_command("create_api_token", "--ircc", "--name", "GCMS", stdout=StringIO())
    OfficerFactory()
    out = StringIO()
    call_command("create_api_token", "--ircc", "--name", "GCMS", stdout=out)
    assert api_token_authenticate(out.getvalue().strip().splitlines()[-1]).token.kind == "ircc"
