from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "loaportal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # Hooks, so that the layers below import nothing of this one: the history of
        # verification requests announces new entries; the worker runs the periodic jobs.
        from loaportal.notifications.maintenance import periodic_job_register
        from loaportal.verifications.signals import history_appended
        from loaportal.webhooks.services import (
            webhook_deadline_notices,
            webhook_deliveries_sweep,
            webhook_history_appended,
        )

        history_appended.connect(webhook_history_appended, dispatch_uid="webhooks")
        periodic_job_register("webhooks-deadlines", webhook_deadline_notices, every_seconds=300)
        periodic_job_register("webhooks-sweep", webhook_deliveries_sweep, every_seconds=30)
