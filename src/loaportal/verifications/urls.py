"""Verification pages (``verifications:…``): the DLI's queue under ``verifications/`` and the
officers' pages under ``officer/verifications/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.verifications import views, views_officers

app_name = "verifications"

urlpatterns = [
    path(_("verifications/"), views.queue, name="queue"),
    path(_("verifications/export/"), views.queue_export, name="queue_export"),
    path(_("verifications/at-risk/"), views.at_risk, name="at_risk"),
    path(_("verifications/<int:pk>/"), views.request_detail, name="request_detail"),
    path(_("verifications/<int:pk>/assign/"), views.assign, name="assign"),
    path(_("verifications/<int:pk>/document/"), views.document, name="document"),
    path(_("officer/verifications/"), views_officers.officer_list, name="officer_list"),
    path(_("officer/verifications/export/"), views_officers.officer_export, name="officer_export"),
    path(
        _("officer/verifications/at-risk/"),
        views_officers.officer_at_risk,
        name="officer_at_risk",
    ),
    path(_("officer/verifications/new/"), views_officers.officer_create, name="officer_create"),
    path(
        _("officer/verifications/<int:pk>/"),
        views_officers.officer_detail,
        name="officer_detail",
    ),
]
