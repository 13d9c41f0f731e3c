from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UserChangesConfig(AppConfig):
    name = "loaportal.user_changes"
    label = "user_changes"
    verbose_name = _("User-change requests")
