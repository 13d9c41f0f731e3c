"""Fuzzing the portal's forms and search boxes with hypothesis (issue 13, item 5): random text,
very long values, control characters, NUL, other scripts and charsets, in every field of the
sign-in, sign-up, password-reset, invitation, user-change request, decision, officers' request
and search forms → never a server error. Bounded (``FUZZ_EXAMPLES`` examples per form, 8 by
default) so that ``make test`` stays fast; ``FUZZ_EXAMPLES=500`` for a longer run."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import flows
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character an HTTP form can carry in UTF-8 (lone surrogates cannot be encoded).
_any_char = st.characters(blacklist_categories=("Cs",))
NASTY = st.one_of(
    st.text(_any_char, max_size=60),
    st.text(st.sampled_from("\x00\x01\x1b\x7f\u200b\u202e\ufeff\r\n\t'\"<>&%;\\"), max_size=40),
    st.text(st.sampled_from("éÉçœ漢字عربيहिन्दी𝔘𝔫𝔦😀ﬀÅ"), max_size=40),
    st.integers(min_value=1000, max_value=30_000).map(lambda n: "A" * n),
    st.sampled_from(["", " ", "0", "-1", "9" * 40, "2026-02-30", "1899-12-31", "null", "[]"]),
)


def fields(*names: str):
    return st.fixed_dictionaries({name: NASTY for name in names})


def _no_server_error(response, what):
    assert response.status_code < 500, (what, response.status_code)


@FUZZ
@given(data=fields("login", "password"))
def test_sign_in(client, data):
    _no_server_error(client.post(flows.url("account_login"), data), data)


@FUZZ
@given(
    data=fields("invitation_code", "email", "password1", "surname", "given_names", "phone_number"),
    lang=st.sampled_from(["fr", "en"]),
)
def test_sign_up(client, data, lang):
    _no_server_error(client.post(flows.url("account_signup", lang), data), data)


@FUZZ
@given(data=fields("email"))
def test_password_reset(client, data):
    _no_server_error(client.post(flows.url("account_reset_password"), data), data)


@pytest.fixture
def dli(signed_in):
    dli = dli_with_users(secondaries=1)
    return dli, signed_in(dli.primary)


@FUZZ
@given(data=fields("email", "language"))
def test_invitation(dli, data):
    _, client = dli
    _no_server_error(client.post(flows.url("invitations:create"), data), data)


@FUZZ
@given(data=fields("reason", "explanation", "member", "new_primary_kind", "new_primary_email"))
def test_user_change_requests(dli, data):
    _, client = dli
    for name in ("user_changes:request_remove", "user_changes:request_change_primary"):
        _no_server_error(client.post(flows.url(name), data), (name, data))


@FUZZ
@given(data=fields("action", "outcome", "comment"), query=NASTY)
def test_decision_and_queue_search(dli, data, query):
    institution_dli, client = dli
    request = a_request(institution_dli.institution)
    page = flows.url("verifications:request_detail", pk=request.pk)
    _no_server_error(client.post(page, data), data)
    _no_server_error(client.get(flows.url("verifications:queue"), {"q": query}), query)


@FUZZ
@given(
    data=fields(
        "application_number",
        "dli_number",
        "surname",
        "given_names",
        "date_of_birth",
        "program",
        "start_date",
        "student_id",
        "loa_number",
        "campus",
    ),
    filters=fields("dli", "status", "requested_from", "requested_to", "q"),
)
def test_officers_request_form_and_filters(signed_in, data, filters):
    client = signed_in(OfficerFactory())
    _no_server_error(client.post(flows.url("verifications:officer_create"), data), data)
    _no_server_error(client.get(flows.url("verifications:officer_list"), filters), filters)
