"""The "Notifications" page (``reminders:…``), under ``account/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.reminders import views

app_name = "reminders"

urlpatterns = [
    path(_("notifications/"), views.preferences, name="preferences"),
]
