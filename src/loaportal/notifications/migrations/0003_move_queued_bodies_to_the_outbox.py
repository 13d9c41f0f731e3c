"""Before the outbox, each ``deliver_email`` task carried the whole message (codes included) in
its arguments, and finished task rows stayed forever. Finished ones are deleted; waiting ones
are moved to the outbox (sealed) and their task now carries only the outbox row's id."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TASK_PATH = "loaportal.notifications.tasks.deliver_email"


def forwards(apps, schema_editor):
    from loaportal.notifications.sealing import seal

    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    now = timezone.now()
    for task in DBTaskResult.objects.filter(task_path=TASK_PATH).iterator():
        kwargs = (task.args_kwargs or {}).get("kwargs") or {}
        if "outbox_id" in kwargs:
            continue
        if task.status not in ("READY", "RUNNING"):
            task.delete()
            continue
        outgoing = OutgoingEmail.objects.create(
            kind="legacy",
            recipients="\n".join(kwargs.get("to") or []),
            message_id=f"<{uuid.uuid4().hex}@loaportal.localhost>",
            content=seal(
                {
                    "from_email": kwargs.get("from_email") or settings.DEFAULT_FROM_EMAIL,
                    "subject": kwargs.get("subject", ""),
                    "body": kwargs.get("body", ""),
                    "html": kwargs.get("html", ""),
                }
            ),
            created_at=now,
            next_attempt_at=now,
            deliver_until=now + timedelta(seconds=settings.EMAIL_DELIVERY_WINDOW_SECONDS),
        )
        task.args_kwargs = {"args": [], "kwargs": {"outbox_id": outgoing.pk}}
        task.status = "READY"
        task.save(update_fields=["args_kwargs", "status"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outgoing_email"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
