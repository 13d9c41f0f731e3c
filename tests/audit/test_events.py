"""Every security and account event of issue 3 leaves an audit entry: who, when, the DLI, the
source address."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from loaportal.audit.models import RETIRED_EVENT_TYPES, AuditEvent
from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.onboarding import institution_onboard
from loaportal.terms.services import terms_publish
from loaportal.user_changes.services import (
    user_change_request_approve,
    user_change_request_refuse,
    user_change_request_submit,
)
from tests import flows
from tests.factories import PASSWORD, MembershipFactory, OfficerFactory

T = AuditEvent.Type
PRIMARY = "primary@college.example"


def events(event_type, **filters):
    return list(AuditEvent.objects.filter(event_type=event_type, **filters).order_by("id"))


def test_every_event_is_recorded(mail, signed_in, clock):
    officer = OfficerFactory(email="officer@ircc.example")
    sent = institution_onboard(
        dli_number="O19390898172",
        name_en="Example College",
        primary_email=PRIMARY,
        language="en",
        officer=officer,
    )
    institution = sent.invitation.institution
    assert events(T.INSTITUTION_CREATED)[0].actor == officer
    invitation_event = events(T.INVITATION_SENT)[0]
    assert (invitation_event.actor_email, invitation_event.institution) == (
        "officer@ircc.example",
        institution,
    )
    assert invitation_event.target_email == PRIMARY

    # Sign-up, a wrong confirmation code, then the right one.
    client = Client()
    flows.sign_up(client, code=sent.code, email=PRIMARY)
    primary = Membership.objects.get(user__email=PRIMARY).user
    for event_type in (T.INVITATION_USED, T.SIGNED_UP):
        (event,) = events(event_type)
        assert (event.actor, event.institution, event.ip_address) == (
            primary,
            institution,
            "127.0.0.1",
        )
    (confirmation_sent,) = events(T.CODE_SENT)
    assert confirmation_sent.details["purpose"] == "email_verification"
    code = mail.wait_for(PRIMARY, count=2).first_line
    flows.confirm(client, email=PRIMARY, code=f"{(int(code) + 1) % 1000000:06d}")
    assert events(T.CODE_FAILED)[0].details == {
        "purpose": "email_verification",
        "last_attempt": False,
    }
    flows.confirm(client, email=PRIMARY, code=code)
    assert events(T.EMAIL_CONFIRMED)[0].target_user == primary

    # Sign-in: a wrong password, a wrong code, an expired code, a new code, the right code.
    flows.sign_in_password(client, email=PRIMARY, password="not the password, clearly")
    (failed,) = events(T.SIGNIN_FAILED)
    assert (failed.target_user, failed.target_email, failed.ip_address) == (
        primary,
        PRIMARY,
        "127.0.0.1",
    )
    flows.sign_in_password(client, email=PRIMARY)
    code = mail.wait_for(PRIMARY, count=3).first_line
    flows.submit_code(client, code=f"{(int(code) + 1) % 1000000:06d}")
    assert events(T.CODE_FAILED)[-1].details == {"purpose": "sign_in", "last_attempt": False}
    clock.shift(timedelta(seconds=181))
    flows.submit_code(client, code=code)
    assert events(T.CODE_EXPIRED)[0].target_user == primary
    flows.resend_code(client)
    sign_in_codes = events(T.CODE_SENT, details__purpose="sign_in")
    assert [e.details["resend"] for e in sign_in_codes] == [False, True]
    flows.submit_code(client, code=mail.wait_for(PRIMARY, count=4).first_line)
    (signin_event,) = events(T.SIGNIN_SUCCEEDED)
    assert (signin_event.actor, signin_event.institution, signin_event.ip_address) == (
        primary,
        institution,
        "127.0.0.1",
    )
    flows.accept_terms(client)
    assert events(T.TERMS_ACCEPTED)[0].details["version"]

    # Invitations: sent, re-sent and cancelled by the primary user.
    client.post(flows.url("invitations:create"), {"email": "new@college.example"})
    invitation = Invitation.objects.get(email="new@college.example")
    client.post(flows.url("invitations:manage", pk=invitation.pk), {"action": "resend"})
    replacement = Invitation.objects.get(email="new@college.example", revoked_at__isnull=True)
    client.post(flows.url("invitations:manage", pk=replacement.pk), {"action": "cancel"})
    for event_type in (T.INVITATION_SENT, T.INVITATION_RESENT, T.INVITATION_CANCELLED):
        event = events(event_type, target_email="new@college.example")[0]
        assert (event.actor, event.institution, event.ip_address) == (
            primary,
            institution,
            "127.0.0.1",
        )

    # Requests: submitted, approved (a removal, a primary change), refused.
    leaving, successor = (
        MembershipFactory(institution=institution, user__email=f"{name}@college.example").user
        for name in ("leaving", "successor")
    )
    client.post(
        flows.url("user_changes:request_remove"),
        {"membership": leaving.membership.pk, "reason": UserChangeRequest.Reason.LEFT_DLI},
    )
    removal = UserChangeRequest.objects.get()
    assert events(T.USER_CHANGE_REQUEST_SUBMITTED)[0].details["request"] == removal.pk
    user_change_request_approve(change_request=removal, decided_by=officer)
    (removed,) = events(T.USER_REMOVED)
    assert (removed.actor, removed.target_user, removed.institution) == (
        officer,
        leaving,
        institution,
    )
    assert removed.details["role"] == "secondary"
    change = user_change_request_submit(
        requested_by=primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=UserChangeRequest.Reason.NEW_DUTIES,
        membership=successor.membership,
        former_primary_outcome="secondary",
    )
    user_change_request_approve(change_request=change, decided_by=officer)
    (changed,) = events(T.PRIMARY_CHANGED)
    assert (changed.target_user, changed.details["former_primary"]) == (successor, PRIMARY)
    assert len(events(T.USER_CHANGE_REQUEST_APPROVED)) == 2
    refused = user_change_request_submit(
        requested_by=successor,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.SECURITY,
        membership=primary.membership,
    )
    user_change_request_refuse(change_request=refused, decided_by=officer, reason="No.")
    assert events(T.USER_CHANGE_REQUEST_REFUSED)[0].details["refusal_reason"] == "No."

    # The person ends their other sessions, signs out; an officer deactivates an account.
    other_browser = signed_in(primary)
    client.post(flows.url("account_sessions"), {"action": "end_others"})
    assert events(T.SESSIONS_ENDED)[0].details["sessions_ended"] == 1
    assert other_browser.get(flows.url("home")).status_code == 302
    client.post(flows.url("account_logout"))
    assert events(T.SIGNED_OUT)[0].actor == primary
    officer_client = signed_in(officer)
    officer_client.post(
        flows.url("officers:user_deactivate", pk=primary.pk), {"reason": "Account misuse."}
    )
    (deactivated,) = events(T.USER_DEACTIVATED)
    assert (deactivated.actor, deactivated.target_user, deactivated.ip_address) == (
        officer,
        primary,
        "127.0.0.1",
    )
    assert deactivated.details["reason"] == "Account misuse."
    # The right password of the deactivated account: the owner is alerted (issue 6, item 8).
    flows.sign_in_password(Client(), email=PRIMARY)
    assert events(T.SECURITY_ALERT)[0].details["reason"] == "inactive_account_signin"

    # Passwords: changed by a signed-in officer, reset by a DLI user with an emailed code.
    officer_client.post(
        flows.url("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "a new officer passphrase here"},
    )
    assert events(T.PASSWORD_CHANGED)[0].actor == officer
    reset_client = Client()
    reset_client.post(flows.url("account_reset_password"), {"email": successor.email})
    code = mail.for_address(successor.email)[-1].first_line
    reset_client.post(flows.url("account_confirm_password_reset_code"), {"code": code})
    reset_client.post(
        flows.url("account_complete_password_reset"), {"password1": "another fresh passphrase"}
    )
    assert events(T.PASSWORD_RESET)[0].target_user == successor

    # A new version of the terms (the admin publishes through the same service).
    terms = terms_publish(
        version="2099-01",
        title_fr="Conditions",
        title_en="Terms",
        text_fr="Texte",
        text_en="Text",
        published_by=officer,
    )
    (published,) = events(T.TERMS_PUBLISHED)
    assert (published.actor, published.subject_type, published.subject_id) == (
        officer,
        "terms.termsversion",
        str(terms.pk),
    )

    # A verification request: received, its document viewed, decided; another left to its
    # deadline (issue 9).
    from loaportal.verifications.services import (
        verification_close_overdue,
        verification_decide,
        verification_document_viewed,
    )
    from tests.factories import dli_with_users
    from tests.verifications.helpers import make_request

    verifying = dli_with_users(name="verifying", secondaries=0)
    request = make_request(verifying.institution, created_by=officer)
    (received,) = events(T.VERIFICATION_REQUEST_CREATED)
    assert (received.actor, received.subject_id) == (officer, str(request.pk))
    verification_document_viewed(verification_request=request, user=verifying.primary)
    assert events(T.VERIFICATION_DOCUMENT_VIEWED)[0].actor == verifying.primary
    verification_decide(
        verification_request=request,
        outcome="verified_matched",
        comment="",
        decided_by=verifying.primary,
    )
    assert events(T.VERIFICATION_DECIDED)[0].details["outcome"] == "verified_matched"
    # Its DLI's counts by status spoilt outside the services, then repaired.
    from loaportal.verifications.models import VerificationStatusCounts
    from loaportal.verifications.services import verification_status_counts_repair

    VerificationStatusCounts.objects.filter(institution=verifying.institution).update(
        verified_matched=0
    )
    verification_status_counts_repair()
    corrected = events(T.VERIFICATION_COUNTS_CORRECTED)[0]
    assert (corrected.actor, corrected.institution) == (None, verifying.institution)
    # Assigned to its DLI's primary user, then the queue exported (issue 10).
    from loaportal.verifications.services import verification_assign, verification_export_record

    verification_assign(
        verification_request=make_request(verifying.institution),
        assignee=verifying.primary,
        assigned_by=verifying.primary,
    )
    assigned = events(T.VERIFICATION_ASSIGNED)[0]
    assert (assigned.actor, assigned.target_user) == (verifying.primary, verifying.primary)
    verification_export_record(
        user=verifying.primary, institution=verifying.institution, filters={"tab": "todo"}
    )
    assert events(T.VERIFICATION_EXPORTED)[0].details["filters"] == {"tab": "todo"}
    clock.shift(timedelta(days=12))
    verification_close_overdue()
    assert events(T.VERIFICATION_NO_RESPONSE)[0].institution == verifying.institution
    # The retention rule deletes the documents of closed requests (issue 13).
    from loaportal.verifications.retention import verification_documents_purge

    assert verification_documents_purge(years=0) == 2
    assert events(T.VERIFICATION_DOCUMENT_PURGED)[0].actor is None

    # The API (issue 11): a token created and revoked, a webhook endpoint registered and removed.
    from loaportal.api.services import api_token_create, api_token_revoke
    from loaportal.webhooks.services import webhook_endpoint_register, webhook_endpoint_remove

    token = api_token_create(
        institution=verifying.institution, name="SIS", scope="read", created_by=verifying.primary
    ).token
    api_token_revoke(token=token, revoked_by=verifying.primary)
    for event_type in (T.API_TOKEN_CREATED, T.API_TOKEN_REVOKED):
        (event,) = events(event_type)
        assert event.details["api_token"]["id"] == token.pk
        assert event.institution == verifying.institution
    endpoint = webhook_endpoint_register(
        institution=verifying.institution,
        url="https://sis.verifying.example/hook",
        created_by=verifying.primary,
    ).endpoint
    webhook_endpoint_remove(endpoint=endpoint, removed_by=verifying.primary)
    for event_type in (T.WEBHOOK_ENDPOINT_CREATED, T.WEBHOOK_ENDPOINT_DELETED):
        assert events(event_type)[0].actor == verifying.primary

    # Reminders (issue 10): notification choices changed, a daily summary, a 24-hour alert.
    from django.utils import timezone

    from loaportal.reminders.services import reminder_preference_update, reminders_send

    reminding = dli_with_users(name="reminding", secondaries=0)
    reminder_preference_update(user=reminding.primary, daily_summary=True, scope="all", hour=0)
    assert events(T.REMINDER_PREFERENCES_CHANGED)[0].actor == reminding.primary
    make_request(reminding.institution, requested_at=timezone.now() - timedelta(days=10))
    reminders_send()
    for event_type in (T.REMINDER_DAILY_SUMMARY_SENT, T.REMINDER_DEADLINE_ALERT_SENT):
        (event,) = events(event_type, target_user=reminding.primary)
        assert (event.actor, event.institution) == (None, reminding.institution)
    # Extension and correction requests: asked by a member, decided by an officer.
    from tests.amendments.helpers import (
        ask_correction,
        ask_extension,
        decide_correction,
        decide_extension,
    )

    for approve, outcome in ((True, "not_verified_cancelled"), (False, "verified_matched")):
        extension = ask_extension(make_request(verifying.institution), verifying.primary)
        decide_extension(extension, officer, approve=approve, reason="Checked.")
        correction = ask_correction(request, verifying.primary, outcome=outcome)
        decide_correction(correction, officer, approve=approve, reason="Checked.")
    (approved,) = events(T.EXTENSION_APPROVED)
    assert (approved.actor, approved.institution) == (officer, verifying.institution)
    assert events(T.CORRECTION_REQUESTED)[0].actor == verifying.primary
    # Decisions by file and matching help (issue 12).
    from django.test import TestCase

    from loaportal.admissions.services import admissions_list_delete, admissions_list_upload
    from loaportal.decision_files.services import (
        decision_file_confirm,
        decision_file_upload,
        pending_requests_export_record,
    )

    pending_requests_export_record(
        user=verifying.primary, institution=verifying.institution, file_format="csv"
    )
    assert events(T.PENDING_REQUESTS_EXPORTED)[0].details == {"format": "csv"}
    content = b"application_number,outcome,comment\nS000000001,verified_matched,\n"
    with TestCase.captureOnCommitCallbacks(execute=True):
        decision_file = decision_file_upload(
            user=verifying.primary, file_name="d.csv", content=content
        )
    decision_file.refresh_from_db()
    assert events(T.DECISION_FILE_UPLOADED)[0].subject_id == str(decision_file.pk)
    decision_file_confirm(decision_file=decision_file, user=verifying.primary)
    assert events(T.DECISION_FILE_CONFIRMED)[0].actor == verifying.primary
    admissions_list_upload(
        user=verifying.primary, file_name="a.csv", content=b"name,status\nA B,admitted\n"
    )
    assert events(T.ADMISSIONS_LIST_UPLOADED)[0].details["rows"] == 1
    admissions_list_delete(user=verifying.primary)
    assert events(T.ADMISSIONS_LIST_DELETED)[0].details == {"by": "user"}

    # The second factor (issue 13; its pages: tests/accounts/test_second_factor.py).
    from allauth.mfa import signals as mfa_signals
    from allauth.mfa.models import Authenticator

    from loaportal.accounts.services import user_second_factor_reset
    from tests.factories import add_totp

    totp = add_totp(verifying.primary)
    codes = Authenticator.objects.create(
        user=verifying.primary, type="recovery_codes", data={"seed": "ab" * 40, "used_mask": 1}
    )
    for signal, authenticator in (
        (mfa_signals.authenticator_added, totp),
        (mfa_signals.authenticator_added, codes),
        (mfa_signals.authentication_failed, totp),
        (mfa_signals.authenticator_used, codes),
        (mfa_signals.authenticator_removed, totp),
    ):
        signal.send(
            sender=Authenticator, request=None, user=verifying.primary, authenticator=authenticator
        )
    assert events(T.MFA_RECOVERY_CODE_USED)[0].details == {"remaining": 9}
    user_second_factor_reset(user=verifying.primary, reset_by=officer, reason="Phone lost")
    assert events(T.MFA_RESET)[0].actor == officer

    recorded = set(AuditEvent.objects.values_list("event_type", flat=True))
    expected = set(T.values) - RETIRED_EVENT_TYPES
    assert recorded == expected, expected - recorded
