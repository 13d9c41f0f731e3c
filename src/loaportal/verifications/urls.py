"""Verification pages (``verifications:…``): the DLI's queue under ``verifications/`` and the
officers' pages under ``officer/verifications/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.verifications import views, views_officers

app_name = "verifications"

urlpatterns = [
    path(_("verifications/"), views.queue, name="queue"),
    path(_("verifications/<int:pk>/"), views.request_detail, name="request_detail"),
    path(_("verifications/<int:pk>/document/"), views.document, name="document"),
    path(_("officer/verifications/"), views_officers.officer_list, name="officer_list"),
    path(_("officer/verifications/new/"), views_officers.officer_create, name="officer_create"),
    path(
        _("officer/verifications/<int:pk>/"),
        views_officers.officer_detail,
        name="officer_detail",
    ),
]
