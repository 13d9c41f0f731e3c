from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "loaportal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # /readyz and /metrics: the queue's depth, the oldest email's age (core.health).
        from loaportal.notifications import health

        health.register()
