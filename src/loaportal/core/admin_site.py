"""The back office (Django admin at ``back-office/`` / ``arriere-guichet/``) as officers see it.

``BackOfficeAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS``: once every
app has registered its admin classes, it takes out what nobody works with here and names the
third-party section that stays in both official languages:

- out: Django's groups (being staff is the permission, ADR 0003); the task queue's results
  (email delivery is the worker's business, and a result holds a message's text); allauth's
  session records (people see and end their own sessions on the portal, officers end someone's
  by deactivating the account, and deleting a record here would not end its session); and the
  Django-RQ dashboard unless the Redis queue is the one in use (``RQ_SHOW_ADMIN_LINK`` in the
  settings);
- renamed: allauth's "Accounts" section, which holds only the email addresses and would
  otherwise sit beside the portal's own "Accounts".

The portal's French catalog takes precedence over the third-party ones (``LOCALE_PATHS``), so
the strings below are re-translated there in Canadian French ("adresse électronique").
The template ``admin/base_site.html`` adds the language toggle and the portal's sign-out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

# Third-party strings shown in the back office, listed so that ``make messages`` keeps them in
# the portal's catalog, whose French takes precedence over the packages' (France's usage).
THIRD_PARTY_STRINGS = (
    gettext_noop("Mark selected email addresses as verified"),
    gettext_noop("Marked {email} as verified."),
    gettext_noop("Failed to mark {email} as verified."),
    gettext_noop("verified"),
    gettext_noop("primary"),
)

HIDDEN_MODELS = (
    ("auth", "Group"),
    ("django_tasks_database", "DBTaskResult"),
    ("usersessions", "UserSession"),
)


def back_office_trim(site: AdminSite) -> None:
    """Unregister what officers do not use and name the third-party sections that remain."""
    for app_label, model_name in HIDDEN_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if site.is_registered(model):
            site.unregister(model)
    # Lazy: the landing page's address in each request's language (the stubs expect a str).
    site.site_url = reverse_lazy("home")  # type: ignore[assignment]

    apps.get_app_config("account").verbose_name = _("Email addresses")
    # Runtime names only (migrations read ``Meta`` as written, ``_meta.original_attrs``): the
    # same msgids as allauth's, so the portal's catalog gives them in Canadian French.
    email_address = apps.get_model("account", "EmailAddress")
    email_address._meta.verbose_name = _("email address")
    email_address._meta.verbose_name_plural = _("email addresses")


class BackOfficeAdminConfig(AdminConfig):
    def ready(self) -> None:
        super().ready()  # discovers every app's admin module
        from django.contrib import admin

        back_office_trim(admin.site)
