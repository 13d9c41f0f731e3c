"""The DLI's activity log, under ``activity/`` (``audit:…``)."""

from django.urls import path

from loaportal.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
]
