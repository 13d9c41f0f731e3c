"""Extension and correction requests (``amendments:…``): the DLI's pages beside its
verification requests, the officers' under ``officer/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.amendments import views, views_officers

app_name = "amendments"

urlpatterns = [
    path(_("verifications/amendments/"), views.amendment_list, name="list"),
    path(_("verifications/<int:pk>/extension/"), views.extension_create, name="extension_create"),
    path(
        _("verifications/<int:pk>/correction/"),
        views.correction_create,
        name="correction_create",
    ),
    path(_("officer/extensions/"), views_officers.extension_queue, name="officer_extensions"),
    path(
        _("officer/extensions/<int:pk>/"),
        views_officers.extension_detail,
        name="officer_extension_detail",
    ),
    path(_("officer/corrections/"), views_officers.correction_queue, name="officer_corrections"),
    path(
        _("officer/corrections/<int:pk>/"),
        views_officers.correction_detail,
        name="officer_correction_detail",
    ),
]
