"""Walk the whole URLconf: every view declares who may use it, and every page other than the
public ones requires a completed sign-in (password and emailed code) and accepted terms."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from loaportal.core.access import Access, view_access
from tests import flows
from tests.factories import MembershipFactory

# The only pages anyone may open. Adding one here is a security decision.
PUBLIC_URL_NAMES = {
    "health",
    "landing",
    "account_signup",
    "account_email_verification_sent",
    "account_login",
    "account_confirm_login_code",
    "account_logout",
    "account_inactive",
    "account_reset_password",
    "account_confirm_password_reset_code",
    "account_complete_password_reset",
    "account_password_reset_completed",
    "terms",
    "privacy",
    "mailbox",
    "mailbox_message",
    "set_language",
}

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "x",
}


def _walk(patterns, prefix="", namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespaces


def _concrete(route: str) -> str:
    route = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_BY_CONVERTER.get(m.group(1) or "str", "x"), route
    )
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = re.sub(r"\(\?:[^)]*\)\??", "", route)
    route = route.replace("\\", "").replace("?", "")
    return "/" + route.lstrip("/")


def all_routes(lang: str):
    with translation.override(lang):
        return [
            (_concrete(route), pattern, namespaces)
            for route, pattern, namespaces in _walk(get_resolver().url_patterns)
        ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_view_declares_its_access(lang):
    undeclared = [
        route
        for route, pattern, ns in all_routes(lang)
        if view_access(pattern.callback, ns) is None
    ]
    assert undeclared == []


def test_public_views_are_exactly_the_expected_ones():
    public = {
        pattern.name
        for _, pattern, ns in all_routes("en")
        if view_access(pattern.callback, ns) is Access.PUBLIC
    }
    assert public == PUBLIC_URL_NAMES - {"set_language"} | (public & {"set_language"})


def _protected(lang):
    return [
        (route, pattern)
        for route, pattern, ns in all_routes(lang)
        if view_access(pattern.callback, ns) is not Access.PUBLIC
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_protected_pages_refuse_anonymous_visitors(client, lang):
    routes = _protected(lang)
    assert len(routes) > 5
    login = flows.url("account_login", lang)
    for route, _pattern in routes:
        for method in ("get", "post"):
            response = getattr(client, method)(route)
            assert response.status_code == 302, (method, route, response.status_code)
            assert response["Location"].startswith(login), (route, response["Location"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_password_without_the_emailed_code_is_not_signed_in(client, mail, lang):
    MembershipFactory(user__email="half@college.example")
    response = flows.sign_in_password(client, email="half@college.example", lang=lang)
    assert response["Location"] == flows.url("account_confirm_login_code", lang)
    login = flows.url("account_login", lang)
    for route, _pattern in _protected(lang):
        response = client.get(route)
        assert response.status_code == 302 and response["Location"].startswith(login), route


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_terms_block_every_other_page_until_accepted(signed_in, lang):
    user = MembershipFactory(user__email="new@college.example", user__is_staff=False).user
    client = signed_in(user, accept_terms=False)
    terms = flows.url("terms", lang)
    for route, _pattern in _protected(lang):
        response = client.get(route)
        assert response.status_code == 302 and response["Location"].startswith(terms), route
    flows.accept_terms(client, lang=lang)
    assert client.get(flows.url("home", lang)).status_code == 200
