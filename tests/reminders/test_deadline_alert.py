"""The 24-hour alert: the DLI's primary user, always, once per request and deadline, when a
request nobody decided is 24 hours from "No response"; one email per run listing the requests
newly alerted. An approved extension moves the deadline, which arms the alert again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loaportal.audit.models import AuditEvent
from loaportal.institutions.services.memberships import user_deactivate
from loaportal.reminders.models import ReminderSent
from loaportal.reminders.services import reminder_preference_update, reminders_send
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.factories import dli_with_users
from tests.reminders.conftest import toronto
from tests.verifications.helpers import make_request

pytestmark = pytest.mark.django_db


def alerts(mail, user):
    return [m for m in mail.for_address(user.email) if "within 24 hours" in m.subject]


def run_at(clock, when):
    clock.move_to(when)
    return reminders_send()


def no_summaries(*users):
    for user in users:
        reminder_preference_update(user=user, daily_summary=False, scope="all", hour=8)


def test_once_per_request_to_the_primary_user_only(mail, clock):
    dli = dli_with_users(secondaries=1)
    no_summaries(dli.primary, *dli.secondaries)
    # Due at the end of 13 October (Eastern): the alert is due from the end of 12 October.
    first = make_request(dli.institution, requested_at=toronto(3, 10))
    assert run_at(clock, toronto(12, 23, 59)).alerts == 0
    assert alerts(mail, dli.primary) == []

    sent = run_at(clock, toronto(13, 0, 0))
    assert (sent.alerts, sent.alerted_requests) == (1, 1)
    (received,) = alerts(mail, dli.primary)
    assert received.subject == "LOA Portal: 1 request reaches “No response” within 24 hours"
    assert first.application_number in received.text
    assert f"/en/verifications/{first.pk}/" in received.text
    assert "assigned to nobody" in received.text
    assert alerts(mail, dli.secondaries[0]) == []

    # However often it runs until the deadline: no second alert for it.
    for when in (toronto(13, 0, 1), toronto(13, 12), toronto(13, 23, 59)):
        assert run_at(clock, when).alerts == 0
    assert len(alerts(mail, dli.primary)) == 1
    event = AuditEvent.objects.get(event_type="reminder_alert_sent")
    assert event.target_user == dli.primary
    assert event.institution == dli.institution
    assert event.details["application_numbers"] == [first.application_number]


def test_requests_newly_within_24_hours_go_together_each_once(mail, clock):
    dli = dli_with_users(secondaries=0)
    no_summaries(dli.primary)
    a = make_request(dli.institution, requested_at=toronto(3, 9))
    b = make_request(dli.institution, requested_at=toronto(3, 10))
    c = make_request(dli.institution, requested_at=toronto(4, 10))  # due a day later
    assert run_at(clock, toronto(13, 6)).alerted_requests == 2
    assert run_at(clock, toronto(14, 6)).alerted_requests == 1
    first, second = alerts(mail, dli.primary)
    assert "2 requests reach" in first.subject
    assert a.application_number in first.text and b.application_number in first.text
    assert c.application_number not in first.text
    assert c.application_number in second.text
    assert a.application_number not in second.text
    assert ReminderSent.objects.filter(kind="deadline_alert").count() == 3


def test_decided_or_past_deadline_requests_are_not_alerted(mail, clock):
    dli = dli_with_users(secondaries=0)
    no_summaries(dli.primary)
    decided = make_request(dli.institution, requested_at=toronto(3, 10))
    make_request(dli.institution, requested_at=toronto(2, 10))  # due at the end of 12 October
    clock.move_to(toronto(12, 12))
    verification_decide(
        verification_request=decided,
        outcome=VerificationRequest.Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    # The worker was down while the other one's alert was due; now its deadline has passed.
    assert run_at(clock, toronto(13, 6)).alerts == 0
    assert alerts(mail, dli.primary) == []


def test_a_deadline_moved_by_an_approved_extension_is_alerted_again(mail, clock):
    dli = dli_with_users(secondaries=0)
    no_summaries(dli.primary)
    request = make_request(dli.institution, requested_at=toronto(3, 10))
    run_at(clock, toronto(13, 1))
    assert len(alerts(mail, dli.primary)) == 1
    # An officer approves 5 more days (the amendments app moves due_at this way).
    VerificationRequest.objects.filter(pk=request.pk).update(
        original_due_at=request.due_at, due_at=request.due_at + timedelta(days=5)
    )
    assert run_at(clock, toronto(13, 12)).alerts == 0
    assert run_at(clock, toronto(17, 23, 30)).alerts == 0
    assert run_at(clock, toronto(18, 0, 1)).alerts == 1
    second = alerts(mail, dli.primary)[1]
    assert request.application_number in second.text
    assert "Oct. 18, 2026" in second.text
    assert run_at(clock, toronto(18, 12)).alerts == 0


def test_the_alert_cannot_be_turned_off_and_ignores_the_summary_scope(mail, clock):
    dli = dli_with_users(secondaries=1)
    reminder_preference_update(user=dli.primary, daily_summary=False, scope="assigned", hour=23)
    request = make_request(dli.institution, requested_at=toronto(3, 10))
    VerificationRequest.objects.filter(pk=request.pk).update(assigned_to=dli.secondaries[0])
    run_at(clock, toronto(13, 1))
    (received,) = alerts(mail, dli.primary)
    assert f"assigned to {dli.secondaries[0].full_name}" in received.text


def test_the_primary_of_another_dli_is_not_alerted(mail, clock):
    a = dli_with_users(name="a-college", secondaries=0)
    b = dli_with_users(name="b-college", secondaries=0)
    no_summaries(a.primary, b.primary)
    a_request = make_request(a.institution, requested_at=toronto(3, 10))
    run_at(clock, toronto(13, 1))
    assert len(alerts(mail, a.primary)) == 1
    assert alerts(mail, b.primary) == []
    assert not ReminderSent.objects.filter(user=b.primary).exists()
    assert a_request.application_number not in "".join(
        m.text for m in mail.messages if b.primary.email in m.to
    )


def test_a_deactivated_primary_user_gets_nothing(mail, clock):
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution, requested_at=toronto(3, 10))
    user_deactivate(user=dli.primary, deactivated_by=None)
    run_at(clock, toronto(13, 9))
    received = mail.for_address(dli.primary.email)  # perhaps the deactivation notice
    assert not [m for m in received if "within 24 hours" in m.subject or "3 days" in m.subject]
    assert not ReminderSent.objects.exists()


def test_in_french(mail, clock):
    dli = dli_with_users(secondaries=0)
    dli.primary.preferred_language = "fr"
    dli.primary.save()
    no_summaries(dli.primary)
    request = make_request(dli.institution, requested_at=toronto(3, 10))
    run_at(clock, toronto(13, 1))
    (received,) = mail.for_address(dli.primary.email)
    assert (
        "1 demande atteint « Aucune réponse » dans moins de 24 heures"
        in received.subject.replace("\u00a0", " ").replace("\u202f", " ")
    )
    assert f"/fr/verifications/{request.pk}/" in received.text
    assert "13 octobre 2026 à 23\u00a0h\u00a059" in received.text
