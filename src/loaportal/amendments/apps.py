from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmendmentsConfig(AppConfig):
    name = "loaportal.amendments"
    label = "amendments"
    verbose_name = _("Extension and correction requests")

    def ready(self) -> None:
        # The request pages of ``verifications`` (a floor below) show each request's
        # amendments through the panel registry they offer.
        from loaportal.amendments.panels import request_panel
        from loaportal.verifications.panels import register_request_panel

        register_request_panel(request_panel)
