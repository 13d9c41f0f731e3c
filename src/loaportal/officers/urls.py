"""IRCC officers' workflow pages, under ``officer/`` (``officers:…``); the Django admin at
``back-office/`` complements them."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.officers import views

app_name = "officers"

urlpatterns = [
    path(_("requests/"), views.officer_user_change_requests, name="user_change_request_list"),
    path(
        _("requests/<int:pk>/"),
        views.officer_user_change_request,
        name="user_change_request_detail",
    ),
    path(_("dlis/"), views.officer_dlis, name="dli_list"),
    path(_("dlis/new/"), views.officer_dli_onboard, name="dli_onboard"),
    path(_("dlis/<int:pk>/"), views.officer_dli, name="dli_detail"),
    path(_("users/<int:pk>/deactivate/"), views.officer_user_deactivate, name="user_deactivate"),
]
