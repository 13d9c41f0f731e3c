from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "loaportal.statistics"
    label = "statistics"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # The worker (notifications, a lower layer) keeps the summary the pages read.
        from loaportal.notifications.maintenance import periodic_job_register
        from loaportal.statistics.jobs import statistics_daily, statistics_recent

        periodic_job_register(
            "statistics-recent",
            statistics_recent,
            every_seconds=settings.STATISTICS_REFRESH_SECONDS,
        )
        periodic_job_register("statistics-daily", statistics_daily, every_seconds=24 * 60 * 60)
