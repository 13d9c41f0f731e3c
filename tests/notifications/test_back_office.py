"""Queued tasks and emails are not readable in the back office, not even by a superuser."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from loaportal.invitations.services import invitation_send
from loaportal.notifications.models import MailboxMessage, OutgoingEmail
from tests.factories import InstitutionFactory, OfficerFactory


def test_no_task_result_or_email_is_registered_in_the_admin():
    registered = {model._meta.label for model in admin.site._registry}
    assert not registered & {
        DBTaskResult._meta.label,
        OutgoingEmail._meta.label,
        MailboxMessage._meta.label,
        "django_rq.Dashboard",
    }


def test_a_superuser_finds_no_task_or_email_pages(
    signed_in, settings, django_capture_on_commit_callbacks
):
    superuser = OfficerFactory(email="root@ircc.example", is_superuser=True)
    client = signed_in(superuser)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(institution=InstitutionFactory(), email="new@college.example")
    task = DBTaskResult.objects.get()
    index = client.get("/en/back-office/")
    assert index.status_code == 200
    for path in (
        "/en/back-office/django_tasks_database/dbtaskresult/",
        f"/en/back-office/django_tasks_database/dbtaskresult/{task.pk}/change/",
        "/en/back-office/notifications/outgoingemail/",
        "/en/back-office/notifications/mailboxmessage/",
        "/en/back-office/django_rq/dashboard/",
    ):
        assert client.get(path).status_code == 404, path
    assert b"dbtaskresult" not in index.content.lower()
    assert b"outgoingemail" not in index.content.lower()
