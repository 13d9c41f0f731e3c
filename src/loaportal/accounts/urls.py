"""Sign-up, sign-in, sessions and password pages, under ``account/``.

No namespace: django-allauth reverses these names itself (``account_login``, …)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.accounts import views

urlpatterns = [
    path(_("sign-up/"), views.signup, name="account_signup"),
    path(_("sign-up/confirm/"), views.confirm_signup, name="account_email_verification_sent"),
    path(_("sign-in/"), views.login, name="account_login"),
    path(_("sign-in/code/"), views.confirm_login_code, name="account_confirm_login_code"),
    path(_("sign-out/"), views.logout, name="account_logout"),
    path(_("inactive/"), views.account_inactive, name="account_inactive"),
    path(_("sessions/"), views.sessions, name="account_sessions"),
    path(_("password/reset/"), views.password_reset, name="account_reset_password"),
    path(
        _("password/reset/code/"),
        views.confirm_password_reset_code,
        name="account_confirm_password_reset_code",
    ),
    path(
        _("password/reset/new/"),
        views.complete_password_reset,
        name="account_complete_password_reset",
    ),
    path(
        _("password/reset/done/"),
        views.password_reset_done,
        name="account_password_reset_completed",
    ),
    path(_("password/change/"), views.password_change, name="account_change_password"),
]
