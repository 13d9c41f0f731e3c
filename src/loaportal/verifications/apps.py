from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationsConfig(AppConfig):
    name = "loaportal.verifications"
    label = "verifications"
    verbose_name = _("Verification requests")

    def ready(self) -> None:
        # The worker (notifications, a lower layer) runs the jobs registered with it: the
        # deadline passages and the grouped announcements (README "Verification requests").
        from loaportal.notifications.maintenance import periodic_job_register
        from loaportal.verifications.jobs import verifications_hourly, verifications_periodic

        periodic_job_register("verifications", verifications_periodic, every_seconds=60)
        periodic_job_register(
            "verifications-documents", verifications_hourly, every_seconds=60 * 60
        )
        # The retention rule (DOCUMENT_RETENTION_YEARS), once a day across every worker.
        from loaportal.verifications.retention import verifications_retention

        periodic_job_register(
            "verifications-retention", verifications_retention, every_seconds=24 * 60 * 60
        )
        # /readyz (the documents' storage) and /metrics (deadlines passed): core.health.
        from loaportal.verifications import health

        health.register()
