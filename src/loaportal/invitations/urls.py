"""A DLI's users page and its invitations, under ``users/`` (``invitations:…``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.invitations import views

app_name = "invitations"

urlpatterns = [
    path("", views.users, name="users"),
    path(_("invite/"), views.invitation_create, name="create"),
    path(_("invitations/<int:pk>/"), views.invitation_manage, name="manage"),
]
