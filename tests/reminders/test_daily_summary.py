"""The daily summary: at the hour each user chooses (in the DLI's time zone), once per local
day, the DLI's pending requests due within 3 days (or only those assigned to the user), and no
email when there is nothing to say. Emails read through the real outbox and SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Institution
from loaportal.institutions.services.memberships import user_deactivate
from loaportal.reminders.models import ReminderPreference, ReminderSent
from loaportal.reminders.services import reminder_preference_update, reminders_send
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.factories import dli_with_users
from tests.reminders.conftest import toronto
from tests.verifications.helpers import make_request

pytestmark = pytest.mark.django_db

SUMMARY = "reminders/email/daily_summary"


def summaries(mail, user):
    return [m for m in mail.for_address(user.email) if "due within 3 days" in m.subject]


def run_at(clock, when):
    clock.move_to(when)
    return reminders_send()


def test_sent_at_the_hour_once_and_again_the_next_day(mail, clock):
    dli = dli_with_users(secondaries=1)
    # Requested on 3 October: due at the end of 13 October (Eastern).
    soon = make_request(dli.institution, requested_at=toronto(3, 10))
    later = make_request(dli.institution, requested_at=toronto(3, 11))
    not_soon = make_request(dli.institution, requested_at=toronto(3, 11) + timedelta(days=2))
    users = [dli.primary, dli.secondaries[0]]

    # 10 October: nothing is due within 3 days yet: no email, and the day is done.
    assert run_at(clock, toronto(10, 8)).summaries == 0
    assert all(summaries(mail, user) == [] for user in users)
    day = ReminderSent.objects.get(user=dli.primary, kind="daily_summary")
    assert day.request_count == 0
    assert not AuditEvent.objects.filter(event_type="reminder_summary_sent").exists()

    # 11 October before 08:00 (the default hour): nothing.
    assert run_at(clock, toronto(11, 7, 59)).summaries == 0
    assert all(summaries(mail, user) == [] for user in users)

    # At 08:00: one summary each, soonest first, with links.
    assert run_at(clock, toronto(11, 8)).summaries == 2
    for user in users:
        (received,) = summaries(mail, user)
        assert received.subject == "LOA Portal: 2 requests are due within 3 days"
        text = received.text
        assert text.index(soon.application_number) < text.index(later.application_number)
        assert not_soon.application_number not in text
        assert f"/en/verifications/{soon.pk}/" in text
        assert "/en/account/notifications/" in text
        assert "(America/Toronto)" in text
        assert soon.surname not in text  # no student's name in an email

    # Later that day, however often it runs: nothing more.
    for when in (toronto(11, 8, 1), toronto(11, 12), toronto(11, 23, 59)):
        assert run_at(clock, when).summaries == 0
    assert [len(summaries(mail, user)) for user in users] == [1, 1]

    # The next morning: the next summary (still pending).
    assert run_at(clock, toronto(12, 8, 3)).summaries == 2
    assert [len(summaries(mail, user)) for user in users] == [2, 2]
    events = AuditEvent.objects.filter(event_type="reminder_summary_sent")
    assert events.count() == 4
    assert events.filter(target_user=dli.primary).first().details["request_count"] == 2


def test_decided_requests_are_not_listed_and_nothing_left_means_no_email(mail, clock):
    dli = dli_with_users(secondaries=0)
    request = make_request(dli.institution, requested_at=toronto(3, 10))
    clock.move_to(toronto(11, 7))
    verification_decide(
        verification_request=request,
        outcome=VerificationRequest.Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    assert run_at(clock, toronto(11, 9)).summaries == 0
    assert summaries(mail, dli.primary) == []


def test_the_chosen_hour_in_the_dlis_time_zone(mail, clock):
    west = dli_with_users(name="west", secondaries=0)
    Institution.objects.filter(pk=west.institution.pk).update(province="BC")
    make_request(west.institution, requested_at=toronto(3, 10))
    reminder_preference_update(user=west.primary, daily_summary=True, scope="all", hour=17)

    # 17:00 in Toronto is 14:00 in Vancouver: not yet.
    assert run_at(clock, toronto(11, 17)).summaries == 0
    assert run_at(clock, toronto(11, 19, 59)).summaries == 0
    # 17:00 in Vancouver.
    assert run_at(clock, toronto(11, 20)).summaries == 1
    (received,) = summaries(mail, west.primary)
    assert "(America/Vancouver)" in received.text
    assert "each day at 5 p.m." in received.text


def test_turned_off_means_no_summary(mail, clock):
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution, requested_at=toronto(3, 10))
    reminder_preference_update(user=dli.primary, daily_summary=False, scope="all", hour=8)
    assert run_at(clock, toronto(11, 9)).summaries == 0
    assert summaries(mail, dli.primary) == []


def test_only_the_requests_assigned_to_me(mail, clock):
    dli = dli_with_users(secondaries=2)
    mine, theirs, nobodys = (
        make_request(dli.institution, requested_at=toronto(3, hour)) for hour in (9, 10, 11)
    )
    me, colleague = dli.secondaries
    VerificationRequest.objects.filter(pk=mine.pk).update(assigned_to=me)
    VerificationRequest.objects.filter(pk=theirs.pk).update(assigned_to=colleague)
    reminder_preference_update(user=me, daily_summary=True, scope="assigned", hour=8)
    reminder_preference_update(user=colleague, daily_summary=True, scope="assigned", hour=8)
    verification_decide(
        verification_request=theirs,
        outcome=VerificationRequest.Status.VERIFIED_MATCHED,
        comment="",
        decided_by=colleague,
    )

    assert run_at(clock, toronto(11, 8)).summaries == 2  # me and the primary (all requests)
    (received,) = summaries(mail, me)
    assert received.subject == "LOA Portal: 1 request assigned to you is due within 3 days"
    assert mine.application_number in received.text
    assert nobodys.application_number not in received.text
    # The colleague's only assigned request is decided: nothing to say.
    assert summaries(mail, colleague) == []
    (everything,) = summaries(mail, dli.primary)
    assert mine.application_number in everything.text
    assert nobodys.application_number in everything.text
    assert f"assigned to {me.full_name}" in everything.text


def test_a_user_of_another_dli_never_gets_a_dlis_requests(mail, clock):
    a = dli_with_users(name="a-college", secondaries=1)
    b = dli_with_users(name="b-college", secondaries=1)
    a_request = make_request(a.institution, requested_at=toronto(3, 10))
    b_request = make_request(b.institution, requested_at=toronto(3, 10))
    run_at(clock, toronto(11, 8))
    for user in (b.primary, b.secondaries[0]):
        (received,) = summaries(mail, user)
        assert b_request.application_number in received.text
        assert a_request.application_number not in received.text
        assert a.institution.name_en not in received.text
    for user in (a.primary, a.secondaries[0]):
        (received,) = summaries(mail, user)
        assert b_request.application_number not in received.text


def test_deactivated_users_get_nothing(mail, clock):
    dli = dli_with_users(secondaries=1)
    gone = dli.secondaries[0]
    make_request(dli.institution, requested_at=toronto(3, 10))
    user_deactivate(user=gone, deactivated_by=None)
    run_at(clock, toronto(11, 8))
    assert summaries(mail, gone) == []
    assert len(summaries(mail, dli.primary)) == 1
    assert not ReminderSent.objects.filter(user=gone).exists()


def test_in_the_users_language(mail, clock):
    dli = dli_with_users(secondaries=1)
    french = dli.secondaries[0]
    french.preferred_language = "fr"
    french.save()
    request = make_request(dli.institution, requested_at=toronto(3, 10))
    run_at(clock, toronto(11, 8))
    (received,) = mail.for_address(french.email)
    assert received.subject.startswith("Portail des lettres d'acceptation")
    assert received.subject.endswith("1 demande arrive à échéance d'ici 3 jours")
    assert f"/fr/verifications/{request.pk}/" in received.text
    assert "/fr/compte/notifications/" in received.text
    assert dli.institution.name_fr in received.text
    assert "8\u00a0h\u00a000" in received.text


def test_a_long_list_is_cut_with_a_link_to_the_queue(mail, clock, monkeypatch):
    from loaportal.reminders import services

    monkeypatch.setattr(services, "EMAIL_LIST_LIMIT", 2)
    dli = dli_with_users(secondaries=0)
    for hour in (8, 9, 10, 11):
        make_request(dli.institution, requested_at=toronto(3, hour))
    run_at(clock, toronto(11, 8))
    (received,) = summaries(mail, dli.primary)
    assert received.subject == "LOA Portal: 4 requests are due within 3 days"
    assert "And 2 more: " in received.text
    assert "/en/verifications/?tab=due_soon" in received.text
    assert ReminderSent.objects.get(user=dli.primary).request_count == 4


def test_the_default_preference(db):
    dli = dli_with_users(secondaries=0)
    assert not ReminderPreference.objects.filter(user=dli.primary).exists()
    from loaportal.reminders.selectors import reminder_preference_of

    preference = reminder_preference_of(user=dli.primary)
    assert (preference.daily_summary, preference.scope, preference.hour) == (True, "all", 8)
