"""At scale the task queue runs on Redis: a configuration change, the same worker command."""

import os
import time

import pytest
from django.core.management import call_command
from django.db import connection

from loaportal.invitations.services import invitation_send
from loaportal.notifications.models import OutgoingEmail
from tests import flows
from tests.factories import InstitutionFactory, MembershipFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs a Redis server: run with REDIS_URL=redis://127.0.0.1:6379/15 (as .ci/run does)",
)
# Both tests empty and read RQ's one "default" queue: pytest-xdist's `--dist loadfile` (what
# `make test` and .ci/run use) keeps them on one worker, one after the other.


@pytest.fixture
def redis_queue(settings):
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    for job_id in queue.scheduled_job_registry.get_job_ids():
        queue.scheduled_job_registry.remove(job_id, delete_job=True)
    yield queue
    queue.empty()
    for job_id in queue.scheduled_job_registry.get_job_ids():
        queue.scheduled_job_registry.remove(job_id, delete_job=True)


def test_sign_in_code_goes_through_redis_and_the_worker(client, smtp, redis_queue):
    MembershipFactory(user__email="member@college.example")
    flows.sign_in_password(client, email="member@college.example")
    assert redis_queue.count == 1
    assert smtp.for_address("member@college.example") == []

    call_command("worker", "--batch")
    code = smtp.wait_for("member@college.example").first_line
    assert flows.submit_code(client, code=code).status_code == 302
    assert redis_queue.count == 0


def test_a_failed_delivery_is_retried_through_rqs_scheduler(faulty_smtp, redis_queue, settings):
    if connection.vendor == "sqlite":
        pytest.skip("RQ's forked work horse cannot write the tests' in-memory SQLite database")
    settings.EMAIL_RETRY_FIRST_SECONDS = 1
    invitation_send(institution=InstitutionFactory(), email="new@college.example")
    call_command("worker", "--batch")  # the mail server is down
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 1)
    assert redis_queue.scheduled_job_registry.count == 1

    faulty_smtp.start()
    time.sleep(1.5)  # RQ's scheduler runs on the real clock
    call_command("worker", "--batch")
    assert len(faulty_smtp.sink.for_address("new@college.example")) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.content == ""
