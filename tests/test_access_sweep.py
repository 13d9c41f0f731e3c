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
    # Probes (core.health): /metrics refuses anyone not allowed by address or token itself.
    "readiness",
    "metrics",
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
    # The second factor at sign-in: only with a pending sign-in (password and emailed code).
    "mfa_authenticate",
    "terms",
    "privacy",
    "mailbox",
    "mailbox_message",
    "set_language",
    # The API's OpenAPI document and its reference page (no data: the API's description).
    "openapi-json",
    "api_reference",
    "api-root",
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
        if view_access(pattern.callback, ns) not in (Access.PUBLIC, Access.TOKEN)
    ]


@pytest.mark.django_db
def test_api_operations_answer_401_to_anyone_without_a_token_signed_in_or_not(client):
    """A browser session never authenticates an API call (no cookie-borne access, so no
    cross-site request can use one)."""
    from tests.factories import dli_with_users

    operations = [
        route
        for route, pattern, ns in all_routes("en")
        if view_access(pattern.callback, ns) is Access.TOKEN
    ]
    assert len(operations) >= 6
    primary = dli_with_users(name="session-college", secondaries=0).primary
    for signed_in in (False, True):
        if signed_in:
            client.force_login(primary)
        for route in operations:
            for method in ("get", "post"):
                response = getattr(client, method)(route, HTTP_HOST="127.0.0.1")
                assert response.status_code in (401, 405), (method, route, response.status_code)
                if response.status_code == 401:
                    assert response.json()["code"] == "token_missing"


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


# --- Every route, every role -------------------------------------------------------------------
#
# Who each declared rule admits. The expected answer for a (route, role) pair comes from this
# table and the route's own declaration, so a new route is swept the day it is added.
ROLES = ("anonymous", "primary_a", "secondary_a", "primary_b", "secondary_b", "officer")
MEMBERS = {"primary_a", "secondary_a", "primary_b", "secondary_b"}
ADMITTED = {
    Access.SIGNED_IN: MEMBERS | {"officer"},
    Access.MEMBER: MEMBERS,
    Access.PRIMARY: {"primary_a", "primary_b"},
    Access.OFFICER: {"officer"},
}
# Who sees DLI A's objects (on the routes that name one): its members and the officers.
SEES_DLI_A = {"primary_a", "secondary_a", "officer"}
# Routes naming an object of one user (their own security key): allauth filters it on the
# signed-in user, after asking for the password again (a redirect, "open" here). That nobody
# else reaches it: tests/accounts/test_second_factor.py.
OWN_OBJECT_ROUTES = {"mfa_remove_webauthn"}
# Pages about one's own authenticator app, recovery codes or security key: "not found" for
# someone without one (allauth's answer).
OWN_AUTHENTICATOR_ROUTES = {
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate_webauthn",
}


def _world():
    """DLI A and DLI B, each with a primary and a secondary user; an officer; one object of
    DLI A for each route that names an object. Everyone has accepted the terms."""
    from loaportal.institutions.models import UserChangeRequest
    from loaportal.invitations.services import invitation_send
    from loaportal.terms.selectors import terms_current
    from loaportal.terms.services import terms_accept
    from loaportal.user_changes.services import user_change_request_submit
    from tests.factories import OfficerFactory, dli_with_users

    a, b = (
        dli_with_users(name="a-college", secondaries=1),
        dli_with_users(name="b-college", secondaries=1),
    )
    users = {
        "primary_a": a.primary,
        "secondary_a": a.secondaries[0],
        "primary_b": b.primary,
        "secondary_b": b.secondaries[0],
        "officer": OfficerFactory(),
    }
    for user in users.values():
        terms_accept(user=user, version=terms_current())
    change_request = user_change_request_submit(
        requested_by=a.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=a.secondaries[0].membership,
    )
    invitation = invitation_send(
        institution=a.institution, email="invitee@a-college.example", invited_by=a.primary
    ).invitation
    from tests.verifications.ui_support import a_request

    verification_request = a_request(a.institution)
    from loaportal.api.services import api_token_create, api_token_create_ircc
    from loaportal.webhooks.services import webhook_endpoint_register

    token = api_token_create(
        institution=a.institution, name="SIS", scope="read", created_by=a.primary
    ).token
    ircc_token = api_token_create_ircc(name="GCMS", created_by=users["officer"]).token
    endpoint = webhook_endpoint_register(
        institution=a.institution, url="https://sis.a-college.example/hook", created_by=a.primary
    ).endpoint
    from loaportal.amendments.services import correction_request_create, extension_request_create
    from loaportal.verifications.services import verification_decide

    extension = extension_request_create(
        verification_request=verification_request,
        requested_by=a.primary,
        days=5,
        ground="labour_dispute",
        explanation="Strike.",
    )
    decided = verification_decide(
        verification_request=a_request(a.institution),
        outcome="verified_matched",
        comment="",
        decided_by=a.primary,
    )
    correction = correction_request_create(
        verification_request=decided,
        requested_by=a.primary,
        outcome="not_verified_cancelled",
        ground="student_withdrew",
        explanation="Withdrew.",
    )
    from loaportal.decision_files.services import decision_file_upload

    decision_file = decision_file_upload(
        user=a.primary,
        file_name="decisions.csv",
        content=b"application_number,outcome,comment\r\nS000000000,verified_matched,\r\n",
    )
    from allauth.mfa.models import Authenticator

    # A security key of another user of DLI A (its page filters on the signed-in user).
    security_key = Authenticator.objects.create(
        user=MembershipFactory(institution=a.institution).user,
        type="webauthn",
        data={"name": "Key", "credential": {}},
    )
    # The object of DLI A each such route is asked for, by URL name.
    samples = {
        "invitations:manage": {"pk": invitation.pk},
        "user_changes:request_detail": {"pk": change_request.pk},
        "officers:user_change_request_detail": {"pk": change_request.pk},
        "officers:dli_detail": {"pk": a.institution.pk},
        "officers:user_deactivate": {"pk": a.secondaries[0].pk},
        "verifications:request_detail": {"pk": verification_request.pk},
        "verifications:document": {"pk": verification_request.pk},
        "verifications:assign": {"pk": verification_request.pk},
        "verifications:officer_detail": {"pk": verification_request.pk},
        "api:token_revoke": {"pk": token.pk},
        "api:officer_token_revoke": {"pk": ircc_token.pk},
        "webhooks:endpoint_remove": {"pk": endpoint.pk},
        "amendments:extension_create": {"pk": verification_request.pk},
        "amendments:correction_create": {"pk": decided.pk},
        "amendments:officer_extension_detail": {"pk": extension.pk},
        "amendments:officer_correction_detail": {"pk": correction.pk},
        "decision_files:detail": {"pk": decision_file.pk},
        "decision_files:status": {"pk": decision_file.pk},
        "decision_files:confirm": {"pk": decision_file.pk},
        "decision_files:result": {"pk": decision_file.pk},
        "mfa_remove_webauthn": {"pk": security_key.pk},
    }
    return users, samples


def _outcome(response, lang: str) -> str:
    if response.status_code >= 500:
        return "error"
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(flows.url("account_login", lang)):
            return "sign_in"
        if location.startswith(flows.url("terms", lang)):
            return "terms"
    if response.status_code == 401:
        return "unauthenticated"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "not_found"
    if response.status_code == 405:
        return "not_allowed"
    return "open"


def _sweep_table(samples, lang):
    """(URL, methods, {role: expected outcomes}) for every route, from its declared rule."""
    from django.urls import reverse

    table = []
    with translation.override(lang):
        for route, pattern, namespaces in _walk(get_resolver().url_patterns):
            rule = view_access(pattern.callback, namespaces)
            name = ":".join((*namespaces, pattern.name)) if pattern.name else route
            converters = pattern.pattern.converters
            if name in samples:
                url, names_object = reverse(name, kwargs=samples[name]), True
            elif not converters:
                url, names_object = _concrete(route), False
            else:
                # Only public pages and the Django admin's own routes may name an object
                # without a DLI A sample here.
                assert rule in (Access.PUBLIC, Access.TOKEN) or "admin" in namespaces, (
                    f"add a sample for {name}"
                )
                url, names_object = _concrete(route), False
            expected = {}
            for role in ROLES:
                if rule is Access.PUBLIC:
                    # Open to all; a step of a flow may still send the visitor to its start.
                    expected[role] = {"open", "not_found", "sign_in", "not_allowed"}
                elif rule is Access.TOKEN:
                    # API operations: a token or nothing, whoever is signed in.
                    expected[role] = {"unauthenticated", "not_allowed"}
                elif role == "anonymous":
                    expected[role] = {"sign_in"}
                elif role not in ADMITTED[rule]:
                    expected[role] = {"forbidden"}
                elif name in OWN_OBJECT_ROUTES | OWN_AUTHENTICATOR_ROUTES:
                    expected[role] = {"open", "not_found", "not_allowed"}
                elif names_object and role not in SEES_DLI_A:
                    expected[role] = {"not_found", "not_allowed"}  # GET of a POST-only page
                elif "admin" in namespaces:
                    # Past the portal's access rule, the admin (and third-party admin pages
                    # such as the queue dashboard) judge a sample id and their own permissions.
                    expected[role] = {"open", "not_found", "not_allowed", "forbidden", "error"}
                elif names_object:
                    expected[role] = {"open", "not_allowed"}
                else:
                    expected[role] = {"open"}
            methods = ("get", "post") if names_object else ("get",)
            table.append((name, url, methods, expected))
    return table


@pytest.mark.django_db
def test_every_route_answers_every_role_as_its_declaration_says(client, settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    lang = "en"
    users, samples = _world()
    table = _sweep_table(samples, lang)
    assert len(table) > 30
    checked, wrong = 0, []
    client.raise_request_exception = False
    for role in ROLES:
        for name, url, methods, expected in table:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            for method in methods:
                outcome = _outcome(getattr(client, method)(url), lang)
                checked += 1
                if outcome not in expected[role]:
                    wrong.append((method, name, role, outcome, sorted(expected[role])))
    assert wrong == [], "\n".join(map(str, wrong))
    assert checked >= len(ROLES) * len(table)
