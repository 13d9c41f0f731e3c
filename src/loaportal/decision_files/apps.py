from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionFilesConfig(AppConfig):
    name = "loaportal.decision_files"
    label = "decision_files"
    verbose_name = _("Decisions by file")
