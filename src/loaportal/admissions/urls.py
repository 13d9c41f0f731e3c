"""Matching help (``admissions:…``) under ``verifications/admissions/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.admissions import views

app_name = "admissions"

urlpatterns = [
    path("", views.index, name="index"),
    path(_("confirm/"), views.confirm, name="confirm"),
    path(_("match-again/"), views.rematch, name="rematch"),
    path(_("delete/"), views.delete, name="delete"),
]
