"""Matching help (``admissions:…``) under ``verifications/admissions/``."""

from django.urls import path

from loaportal.admissions import views

app_name = "admissions"

urlpatterns = [
    path("", views.index, name="index"),
]
