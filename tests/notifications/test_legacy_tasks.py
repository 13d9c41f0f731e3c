"""Tasks queued before the outbox carried the whole message: the migration leaves none."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

from loaportal.notifications.models import OutgoingEmail

BODY = "K7QP-M2XD-9HTR\n\nYour invitation code."


@pytest.mark.django_db(transaction=True)
def test_migration_moves_waiting_bodies_to_the_outbox_and_deletes_finished_ones(smtp, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    executor = MigrationExecutor(connection)
    executor.migrate([("notifications", "0002_outgoing_email")])
    legacy = {
        "to": ["rep@maple.example"],
        "subject": "Your invitation",
        "body": BODY,
        "html": "",
        "from_email": "LOA Portal <no-reply@loaportal.localhost>",
    }
    common = {
        "task_path": "loaportal.notifications.tasks.deliver_email",
        "backend_name": "default",
        "args_kwargs": {"args": [], "kwargs": legacy},
    }
    DBTaskResult.objects.create(status="SUCCESSFUL", **common)
    DBTaskResult.objects.create(status="READY", **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    (task,) = DBTaskResult.objects.all()
    email = OutgoingEmail.objects.get()
    assert task.args_kwargs == {"args": [], "kwargs": {"outbox_id": email.pk}}
    assert "K7QP" not in email.content
    call_command("worker", "--batch")
    message = smtp.wait_for("rep@maple.example")
    assert message.first_line == "K7QP-M2XD-9HTR"
