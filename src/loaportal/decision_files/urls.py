"""Verify by file (``decision_files:…``) under ``verifications/file/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.decision_files import views

app_name = "decision_files"

urlpatterns = [
    path("", views.index, name="index"),
    path(_("pending-requests.csv"), views.download_csv, name="download_csv"),
    path(_("pending-requests.xlsx"), views.download_xlsx, name="download_xlsx"),
    path("<int:pk>/", views.detail, name="detail"),
    path(_("<int:pk>/status/"), views.status, name="status"),
    path(_("<int:pk>/confirm/"), views.confirm, name="confirm"),
    path(_("<int:pk>/result.csv"), views.result, name="result"),
]
