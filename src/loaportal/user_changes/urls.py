"""A DLI's user-change requests to IRCC, under ``users/requests/`` (``user_changes:…``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.user_changes import views

app_name = "user_changes"

urlpatterns = [
    path(_("requests/"), views.request_list, name="request_list"),
    path(
        _("requests/change-primary/"),
        views.request_change_primary,
        name="request_change_primary",
    ),
    path(_("requests/remove-user/"), views.request_remove, name="request_remove"),
    path(_("requests/<int:pk>/"), views.request_detail, name="request_detail"),
]
