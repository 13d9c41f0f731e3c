"""At scale the task queue runs on Redis: a configuration change, the same worker command."""

import os

import pytest
from django.core.management import call_command

from tests import flows
from tests.factories import MembershipFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs a Redis server: run with REDIS_URL=redis://127.0.0.1:6379/15 (as .ci/run does)",
)


@pytest.fixture
def redis_queue(settings):
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def test_sign_in_code_goes_through_redis_and_the_worker(client, smtp, redis_queue):
    MembershipFactory(user__email="member@college.example")
    flows.sign_in_password(client, email="member@college.example")
    assert redis_queue.count == 1
    assert smtp.for_address("member@college.example") == []

    call_command("worker", "--batch")
    code = smtp.wait_for("member@college.example").first_line
    assert flows.submit_code(client, code=code).status_code == 302
    assert redis_queue.count == 0
