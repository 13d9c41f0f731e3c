from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "loaportal.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from loaportal.core.roles import register_membership_lookup
        from loaportal.institutions.selectors import membership_current

        register_membership_lookup(membership_current)
