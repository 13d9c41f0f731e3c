"""Issue 6, item 7: inputs that used to give a server error get a clear answer instead."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from tests import flows
from tests.factories import MembershipFactory, OfficerFactory

UTF7_FORM = "application/x-www-form-urlencoded; charset=utf-7"
BODY = "email=%2BAGE-someone%40college.example&password=x&code=123456"


def _routes(lang: str):
    """Every concrete path of the URLconf in ``lang`` (sample values for parameters)."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    with translation.override(lang):
        for route in walk(get_resolver().url_patterns):
            path = re.sub(r"<(?:(\w+):)?\w+>", "1", route)
            path = path.replace("^", "").replace("$", "").replace("\\Z", "")
            path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
            if "(" in path or "[" in path:
                continue  # a regex route that needs a real value (admin internals)
            yield "/" + path.lstrip("/")


def _csrf_enforced(client: Client) -> Client:
    """As a browser: CSRF checked, with the CSRF cookie a page it opened gave it."""
    client.handler.enforce_csrf_checks = True
    client.raise_request_exception = False
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


@pytest.fixture
def clients(smtp):
    member = MembershipFactory(role="primary")
    officer = OfficerFactory()
    return {
        "anonymous": _csrf_enforced(Client()),
        "primary": _csrf_enforced(flows.signed_in_client(smtp, email=member.user.email)),
        "officer": _csrf_enforced(flows.signed_in_client(smtp, email=officer.email)),
    }


def test_a_form_posted_in_utf7_gets_a_400_page_on_every_route(clients):
    """Django refuses a form body that is not UTF-8; its default 400 handler then re-ran the
    CSRF check, which read the body again: a 500 on every form."""
    paths = sorted({*_routes("en"), *_routes("fr")})
    assert len(paths) > 40
    # The API's operations read no forms and no session: without a token they answer 401
    # (JSON) first; its reference pages answer 400 like every page; never a 500.
    api = [path for path in paths if path.startswith("/api/")]
    paths = [path for path in paths if not path.startswith("/api/")]
    for who, client in clients.items():
        for path in api:
            response = client.post(path, BODY, content_type=UTF7_FORM)
            assert response.status_code in (400, 401, 405), (who, path, response.status_code)
        for path in paths:
            response = client.post(path, BODY, content_type=UTF7_FORM)
            assert response.status_code == 400, (who, path, response.status_code)
            assert b"could not be read" in response.content or (
                b"La demande n'a pas" in response.content
            ), (who, path)


@pytest.mark.django_db
def test_the_400_page_speaks_the_visitors_language():
    client = _csrf_enforced(Client())
    english = client.post(flows.url("account_login", "en"), BODY, content_type=UTF7_FORM)
    french = client.post(flows.url("account_login", "fr"), BODY, content_type=UTF7_FORM)
    assert english.status_code == french.status_code == 400
    assert b"The request could not be read" in english.content
    assert "La demande n'a pas pu être lue".encode() in french.content
    assert b'lang="fr"' in french.content


def test_a_nul_byte_in_any_search_is_ignored(smtp):
    """PostgreSQL refuses NUL in text: ``?q=%00`` in the officers' DLI search or a back-office
    list was a 500 there."""
    from django.contrib import admin

    officer = OfficerFactory(is_superuser=True)
    client = flows.signed_in_client(smtp, email=officer.email)
    client.raise_request_exception = False
    dlis = client.get(flows.url("officers:dli_list") + "?q=%00&page=%00")
    assert dlis.status_code == 200
    lists = [
        flows.url(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    assert flows.url("admin:audit_auditevent_changelist") in lists
    for path in lists:
        response = client.get(path + "?q=%00")
        assert response.status_code == 200, path
    assert client.get(lists[0] + "?q=abc%00def").status_code == 200
    filtered = client.get(flows.url("admin:audit_auditevent_changelist") + "?event_type=%00")
    assert filtered.status_code == 200

    primary = MembershipFactory(role="primary").user
    member_client = flows.signed_in_client(smtp, email=primary.email)
    member_client.raise_request_exception = False
    assert member_client.get(flows.url("audit:log") + "?event_type=%00").status_code == 200


@pytest.mark.django_db
def test_a_nul_byte_in_a_posted_form_is_a_validation_error():
    client = Client(raise_request_exception=False)
    response = client.post(
        flows.url("account_login"), {"login": "someone\x00@college.example", "password": "x"}
    )
    assert response.status_code == 200
    assert b"Null characters are not allowed" in response.content


@pytest.mark.django_db
def test_a_host_name_not_served_gets_the_400_page_and_health_still_answers():
    """Refused before authentication: the error page must not need a user."""
    client = Client(raise_request_exception=False)
    for path in ("/en/", flows.url("account_login")):
        response = client.get(path, HTTP_HOST="evil.example")
        assert response.status_code == 400, path
        assert b"The request could not be read" in response.content
    health = client.get("/healthz", HTTP_HOST="10.0.0.5")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
