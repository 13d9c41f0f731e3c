from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TermsConfig(AppConfig):
    name = "loaportal.terms"
    label = "terms"
    verbose_name = _("Terms")

    def ready(self) -> None:
        from loaportal.core.access import register_gate
        from loaportal.terms.access import terms_gate

        register_gate(terms_gate)
