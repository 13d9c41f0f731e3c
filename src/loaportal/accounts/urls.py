"""Sign-up, sign-in, sessions and password pages, under ``account/``.

No namespace: django-allauth reverses these names itself (``account_login``, …)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.accounts import mfa_views, views

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
    # The second factor (allauth.mfa's URL names, which allauth reverses itself).
    path(_("sign-in/second-factor/"), mfa_views.authenticate, name="mfa_authenticate"),
    path(_("confirm/"), mfa_views.reauthenticate_password, name="account_reauthenticate"),
    path(_("confirm/second-factor/"), mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path(
        _("confirm/security-key/"),
        mfa_views.reauthenticate_webauthn,
        name="mfa_reauthenticate_webauthn",
    ),
    path(_("security/"), mfa_views.index, name="mfa_index"),
    path(_("security/app/"), mfa_views.activate_totp, name="mfa_activate_totp"),
    path(_("security/app/remove/"), mfa_views.deactivate_totp, name="mfa_deactivate_totp"),
    path(
        _("security/recovery-codes/"),
        mfa_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        _("security/recovery-codes/new/"),
        mfa_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        _("security/recovery-codes/download/"),
        mfa_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    path(_("security/keys/"), mfa_views.list_webauthn, name="mfa_list_webauthn"),
    path(_("security/keys/add/"), mfa_views.add_webauthn, name="mfa_add_webauthn"),
    path(
        _("security/keys/<int:pk>/remove/"),
        mfa_views.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
]
