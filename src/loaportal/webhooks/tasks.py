"""The webhook delivery task (see ``webhooks.services.webhook_deliver``)."""

from __future__ import annotations

from django_tasks import task

from loaportal.webhooks.services import webhook_deliver


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    return webhook_deliver(delivery_id=delivery_id)
