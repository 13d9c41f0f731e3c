from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "loaportal.admissions"
    label = "admissions"
    verbose_name = _("Matching help")

    def ready(self) -> None:
        # The worker (notifications, a lower layer) deletes the lists past their retention.
        from loaportal.admissions.jobs import admissions_purge_job
        from loaportal.notifications.maintenance import periodic_job_register

        periodic_job_register("admissions-purge", admissions_purge_job, every_seconds=60 * 60)
