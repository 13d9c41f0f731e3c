"""axe-core over every page a person can open, in both languages (WCAG 2.1 AA target).

The journeys scan the pages they pass through; this sweep covers the rest, signed in as each
kind of person, with data on the pages (users, invitations, requests, audit entries).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loaportal.institutions.models import UserChangeRequest
from loaportal.invitations.services import invitation_send
from loaportal.user_changes.services import user_change_request_submit
from tests import flows
from tests.browser.helpers import check_accessibility, sign_in_quickly
from tests.factories import OfficerFactory, dli_with_users

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "landing",
    "account_signup",
    "account_login",
    "account_email_verification_sent",  # opened with no sign-up pending: says what to do
    "account_reset_password",
    "terms",
    "privacy",
]
MEMBER_PAGES = ["home", "invitations:users", "account_sessions", "account_change_password"]
PRIMARY_PAGES = [
    "invitations:create",
    "user_changes:request_list",
    "user_changes:request_change_primary",
    "user_changes:request_remove",
    "audit:log",
    "verifications:at_risk",
]
OFFICER_PAGES = [
    "home",
    "officers:user_change_request_list",
    "officers:dli_list",
    "officers:dli_onboard",
    "verifications:officer_list",
    "verifications:officer_create",
    "verifications:officer_at_risk",
]


VERIFICATION_TABS = ("todo", "mine", "due_soon", "decided", "no_response")


def _verification_requests(dli):
    """A pending request, a decided one, one past its deadline (with their documents) and one
    due within 24 hours, assigned to the primary user (the at-risk pages, "Assigned to me")."""
    from loaportal.verifications.models import VerificationRequest
    from loaportal.verifications.services import verification_assign, verification_decide
    from tests.verifications.ui_support import a_request

    now = timezone.now()
    pending = a_request(dli.institution, requested_at=now - dt.timedelta(days=8))
    decided = a_request(dli.institution)
    verification_decide(
        verification_request=decided,
        outcome=VerificationRequest.Status.NOT_VERIFIED_NO_MATCH,
        comment="The date of birth was altered.",
        decided_by=dli.primary,
    )
    overdue = a_request(dli.institution, requested_at=now - dt.timedelta(days=12))
    # Requested ten days ago: due at the end of today (Eastern), always within 24 hours.
    at_risk = a_request(dli.institution, requested_at=now - dt.timedelta(days=10))
    verification_assign(verification_request=at_risk, assignee=dli.primary, assigned_by=dli.primary)
    return [pending, decided, overdue, at_risk]


def _scan(browser, live_server, user, urls):
    context = browser.new_context(base_url=live_server.url)
    if user is not None:
        sign_in_quickly(context, live_server, user)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        check_accessibility(page)
    context.close()
    assert errors == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_passes_axe(browser, live_server, smtp, settings, tmp_path, lang):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    dli = dli_with_users(name=f"axe{lang}")
    pending = invitation_send(institution=dli.institution, email=f"pending.{lang}@axe.example")
    change = user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=dli.secondaries[0].membership,
    )
    officer = OfficerFactory()
    verifications = _verification_requests(dli)

    _scan(browser, live_server, None, [flows.url(name, lang) for name in PUBLIC_PAGES])
    _scan(
        browser,
        live_server,
        dli.primary,
        [flows.url(name, lang) for name in MEMBER_PAGES + PRIMARY_PAGES]
        + [
            flows.url("user_changes:request_detail", lang, pk=change.pk),
            flows.url("invitations:manage", lang, pk=pending.invitation.pk) + "?action=cancel",
        ]
        + [flows.url("verifications:queue", lang) + f"?tab={tab}" for tab in VERIFICATION_TABS]
        + [flows.url("verifications:queue", lang) + "?q=nobody"]
        + [flows.url("verifications:request_detail", lang, pk=vr.pk) for vr in verifications],
    )
    _scan(
        browser,
        live_server,
        officer,
        [flows.url(name, lang) for name in OFFICER_PAGES]
        + [
            flows.url("officers:user_change_request_detail", lang, pk=change.pk),
            flows.url("officers:user_change_request_detail", lang, pk=change.pk)
            + "?confirm=approve",
            flows.url("officers:dli_detail", lang, pk=dli.institution.pk),
            flows.url("officers:user_deactivate", lang, pk=dli.secondaries[1].pk),
        ]
        + [flows.url("verifications:officer_detail", lang, pk=vr.pk) for vr in verifications],
    )
