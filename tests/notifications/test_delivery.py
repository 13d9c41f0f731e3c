"""At-least-once delivery: the mail server down, retries with backoff, codes only while useful.

A real SMTP server on loopback (down, then up), the real database queue and ``loaportal worker
--batch``; the clock moves instead of the test sleeping.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loaportal.invitations.services import invitation_send
from loaportal.notifications.maintenance import outbox_purge, outbox_sweep, tasks_reap
from loaportal.notifications.models import MailboxMessage, OutgoingEmail
from loaportal.notifications.sealing import open_sealed, seal
from loaportal.notifications.tasks import retry_delay
from tests import flows
from tests.factories import InstitutionFactory, MembershipFactory

Status = OutgoingEmail.Status


def run_worker() -> None:
    call_command("worker", "--batch")


def queue_three_emails(client) -> dict[str, str]:
    """A sign-in code, an invitation and a password-reset code, each for its own address."""
    MembershipFactory(user__email="signin@college.example")
    MembershipFactory(user__email="reset@college.example")
    assert flows.sign_in_password(client, email="signin@college.example").status_code == 302
    sent = invitation_send(institution=InstitutionFactory(), email="invited@college.example")
    reset = Client().post(flows.url("account_reset_password"), {"email": "reset@college.example"})
    assert reset.status_code == 302
    return {"invitation": sent.code}


def by_address(address: str) -> OutgoingEmail:
    return OutgoingEmail.objects.get(recipients=address)


def test_retry_delay_doubles_up_to_the_maximum(settings):
    settings.EMAIL_RETRY_FIRST_SECONDS = 5
    settings.EMAIL_RETRY_MAX_INTERVAL_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_mail_server_down_then_back_delivers_each_queued_email_once(
    client, faulty_smtp, database_queue, clock
):
    codes = queue_three_emails(client)
    run_worker()  # every first attempt meets a closed port
    for address in ("signin@college.example", "invited@college.example", "reset@college.example"):
        email = by_address(address)
        assert (email.status, email.attempts) == (Status.QUEUED, 1)
        assert "ConnectionRefusedError" in email.last_error
        assert email.next_attempt_at > timezone.now()
    # The retries wait in the queue, deferred: a run now sends nothing and spends no attempt.
    run_worker()
    assert by_address("invited@college.example").attempts == 1

    faulty_smtp.start()
    clock.shift(timedelta(seconds=6))
    run_worker()

    for address in ("signin@college.example", "invited@college.example", "reset@college.example"):
        assert len(faulty_smtp.sink.for_address(address)) == 1, address
        email = by_address(address)
        assert (email.status, email.attempts, email.content) == (Status.SENT, 2, "")
        assert faulty_smtp.message_ids(address) == [email.message_id]
    assert (
        faulty_smtp.sink.for_address("invited@college.example")[0].first_line == codes["invitation"]
    )
    # The sign-in code arrived in time and still works.
    code = faulty_smtp.sink.for_address("signin@college.example")[0].first_line
    assert flows.submit_code(client, code=code).status_code == 302

    run_worker()  # nothing is sent twice
    assert len(faulty_smtp.sink.messages) == 3


def test_a_sign_in_code_that_expired_while_the_server_was_down_is_not_sent(
    client, faulty_smtp, database_queue, clock, settings
):
    settings.EMAIL_RETRY_MAX_INTERVAL_SECONDS = 60
    queue_three_emails(client)
    run_worker()
    # The server stays down past the sign-in code's lifetime (3 minutes), not the others'.
    for _ in range(5):
        clock.shift(timedelta(seconds=61))
        run_worker()
    signin = by_address("signin@college.example")
    assert signin.status == Status.FAILED and signin.content == ""
    assert signin.attempts < 6  # it stopped retrying once the code could no longer be used

    faulty_smtp.start()
    clock.shift(timedelta(seconds=61))
    run_worker()
    assert faulty_smtp.sink.for_address("signin@college.example") == []
    assert len(faulty_smtp.sink.for_address("invited@college.example")) == 1
    # A password-reset code lives 10 minutes: still worth delivering.
    assert len(faulty_smtp.sink.for_address("reset@college.example")) == 1


def test_invitations_keep_trying_for_hours(faulty_smtp, database_queue, clock, settings):
    settings.EMAIL_RETRY_MAX_INTERVAL_SECONDS = 15 * 60
    invitation_send(institution=InstitutionFactory(), email="invited@college.example")
    for _ in range(20):  # five hours of a mail server that refuses connections
        run_worker()
        clock.shift(timedelta(minutes=15))
    email = by_address("invited@college.example")
    assert email.status == Status.QUEUED and email.attempts == 20
    faulty_smtp.start()
    run_worker()
    assert len(faulty_smtp.sink.for_address("invited@college.example")) == 1


def test_the_task_carries_only_a_reference_and_the_queued_message_is_sealed(
    faulty_smtp, database_queue
):
    sent = invitation_send(institution=InstitutionFactory(), email="invited@college.example")
    (task,) = DBTaskResult.objects.all()
    email = by_address("invited@college.example")
    assert task.args_kwargs == {"args": [], "kwargs": {"outbox_id": email.pk}}
    assert sent.code not in email.content and email.content
    assert open_sealed(email.content)["body"].splitlines()[0] == sent.code


def test_a_key_rotation_keeps_queued_messages_readable(settings):
    settings.SECRET_KEY = "old-" * 16
    token = seal({"body": "123456"})
    settings.SECRET_KEY_FALLBACKS = ["old-" * 16]
    settings.SECRET_KEY = "new-" * 16
    assert open_sealed(token) == {"body": "123456"}


def test_a_delivery_left_by_a_dead_worker_is_taken_over(faulty_smtp, database_queue, clock):
    faulty_smtp.start()
    invitation_send(institution=InstitutionFactory(), email="invited@college.example")
    (task,) = DBTaskResult.objects.all()
    # A worker claimed the task and the message, then died (SIGKILL): nothing more happened.
    task.claim("dead-worker")
    OutgoingEmail.objects.update(
        status=Status.SENDING, attempts=1, lease_until=timezone.now() + timedelta(minutes=2)
    )
    run_worker()
    assert faulty_smtp.sink.messages == []  # the lease still holds: maybe it is only slow

    clock.shift(timedelta(minutes=16))
    assert tasks_reap() == 1
    task.refresh_from_db()
    assert task.status == "READY"
    run_worker()
    assert len(faulty_smtp.sink.for_address("invited@college.example")) == 1
    assert by_address("invited@college.example").status == Status.SENT
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


def test_the_sweep_queues_a_message_whose_task_was_lost(faulty_smtp, database_queue, clock):
    faulty_smtp.start()
    invitation_send(institution=InstitutionFactory(), email="invited@college.example")
    DBTaskResult.objects.all().delete()  # e.g. the queue could not defer the retry
    assert outbox_sweep() == 0  # within the grace period, the queued task is trusted
    clock.shift(timedelta(minutes=1))
    assert outbox_sweep() == 1
    run_worker()
    assert len(faulty_smtp.sink.for_address("invited@college.example")) == 1


@pytest.mark.django_db
def test_purge_deletes_finished_rows_after_the_retention_period(settings, database_queue):
    settings.TASKS_RETENTION_DAYS = 7
    old = timezone.now() - timedelta(days=8)
    recent = timezone.now() - timedelta(days=1)
    common = {"kind": "k", "recipients": "a@b.example", "deliver_until": timezone.now()}
    OutgoingEmail.objects.create(message_id="<1@x>", status="sent", finished_at=old, **common)
    OutgoingEmail.objects.create(message_id="<2@x>", status="failed", finished_at=old, **common)
    kept = [
        OutgoingEmail.objects.create(
            message_id="<3@x>", status="sent", finished_at=recent, **common
        ),
        OutgoingEmail.objects.create(message_id="<4@x>", status="queued", content="x", **common),
    ]
    for status, finished in (("SUCCESSFUL", old), ("FAILED", old), ("SUCCESSFUL", recent)):
        DBTaskResult.objects.create(
            status=status,
            finished_at=finished,
            args_kwargs={},
            task_path="x",
            backend_name="default",
        )
    DBTaskResult.objects.create(
        status="READY", args_kwargs={}, task_path="x", backend_name="default"
    )
    MailboxMessage.objects.create(sent_at=old, from_email="a", to="b", subject="s", body="b")

    purged = outbox_purge()
    assert (purged.emails, purged.tasks, purged.mailbox) == (2, 2, 1)
    assert list(OutgoingEmail.objects.order_by("pk")) == kept
    assert DBTaskResult.objects.count() == 2

    call_command("purge_outbox", "--days", "0")
    assert list(OutgoingEmail.objects.all()) == [kept[1]]


@pytest.mark.django_db
def test_a_finished_message_cannot_keep_its_content():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        OutgoingEmail.objects.create(
            kind="k",
            recipients="a@b.example",
            message_id="<1@x>",
            status="sent",
            content="sealed",
            deliver_until=timezone.now(),
        )


def test_a_queue_that_refuses_the_task_loses_no_email(
    faulty_smtp, database_queue, clock, monkeypatch
):
    from loaportal.notifications import services

    def queue_down(outbox_id, **kwargs):
        raise ConnectionError("the queue's server is down")

    faulty_smtp.start()
    monkeypatch.setattr(services, "enqueue_delivery", queue_down)
    sent = invitation_send(institution=InstitutionFactory(), email="invited@college.example")
    assert DBTaskResult.objects.count() == 0
    monkeypatch.undo()

    clock.shift(timedelta(minutes=1))
    run_worker()  # its sweep finds the email nobody queued
    (message,) = faulty_smtp.sink.for_address("invited@college.example")
    assert message.first_line == sent.code


def test_a_refusal_for_good_is_not_retried_a_refusal_for_now_is(faulty_smtp, database_queue, clock):
    faulty_smtp.start()
    faulty_smtp.unknown.add("gone@college.example")
    faulty_smtp.busy.add("busy@college.example")
    institution = InstitutionFactory()
    invitation_send(institution=institution, email="gone@college.example")
    invitation_send(institution=institution, email="busy@college.example")
    run_worker()
    gone, busy = by_address("gone@college.example"), by_address("busy@college.example")
    assert (gone.status, gone.attempts, gone.content) == (Status.FAILED, 1, "")
    assert "550" in gone.last_error
    assert (busy.status, busy.attempts) == (Status.QUEUED, 1)

    faulty_smtp.busy.clear()
    clock.shift(timedelta(seconds=6))
    run_worker()
    assert len(faulty_smtp.sink.for_address("busy@college.example")) == 1
    assert faulty_smtp.sink.for_address("gone@college.example") == []
