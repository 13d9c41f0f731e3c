from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "loaportal.reminders"
    label = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        # The worker (notifications, a lower layer) runs the job registered with it: every
        # minute, the daily summaries whose hour has come and the 24-hour alerts (README
        # "Reminders"). ``loaportal send_reminders`` runs the same service for cron.
        from loaportal.notifications.maintenance import periodic_job_register
        from loaportal.reminders.jobs import reminders_hourly, reminders_periodic

        periodic_job_register("reminders", reminders_periodic, every_seconds=60)
        periodic_job_register("reminders-ledger", reminders_hourly, every_seconds=60 * 60)
