"""URLs. Every page lives under /fr/ and /en/ with translated paths; the language toggle leads
to the same page in the other language (``django.urls.translate_url``)."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from loaportal.accounts import views as account_views
from loaportal.audit import views as audit_views
from loaportal.core import views as core_views
from loaportal.institutions import views as institution_views
from loaportal.invitations import views as invitation_views
from loaportal.officers import views as officer_views
from loaportal.terms import views as terms_views
from loaportal.user_changes import views as user_change_views

admin.site.login = secure_admin_login(admin.site.login)


def _password_change(request, extra_context=None):
    # Officers change their password like everyone: same rules, notification email, audit entry.
    return redirect("account_change_password")


admin.site.password_change = _password_change
admin.site.site_header = _("LOA Portal – back office")
admin.site.site_title = _("LOA Portal back office")
admin.site.index_title = _("Back office")

account_patterns = [
    path(_("sign-up/"), account_views.signup, name="account_signup"),
    path(
        _("sign-up/confirm/"), account_views.confirm_signup, name="account_email_verification_sent"
    ),
    path(_("sign-in/"), account_views.login, name="account_login"),
    path(_("sign-in/code/"), account_views.confirm_login_code, name="account_confirm_login_code"),
    path(_("sign-out/"), account_views.logout, name="account_logout"),
    path(_("inactive/"), account_views.account_inactive, name="account_inactive"),
    path(_("sessions/"), account_views.sessions, name="account_sessions"),
    path(_("password/reset/"), account_views.password_reset, name="account_reset_password"),
    path(
        _("password/reset/code/"),
        account_views.confirm_password_reset_code,
        name="account_confirm_password_reset_code",
    ),
    path(
        _("password/reset/new/"),
        account_views.complete_password_reset,
        name="account_complete_password_reset",
    ),
    path(
        _("password/reset/done/"),
        account_views.password_reset_done,
        name="account_password_reset_completed",
    ),
    path(_("password/change/"), account_views.password_change, name="account_change_password"),
]

# A DLI's users, invitations and requests to IRCC (DLI members; some pages primary only).
user_patterns = [
    path("", invitation_views.users, name="users"),
    path(_("invite/"), invitation_views.invitation_create, name="invitation_create"),
    path(_("invitations/<int:pk>/"), invitation_views.invitation_manage, name="invitation_manage"),
    path(_("requests/"), user_change_views.user_requests, name="user_requests"),
    path(
        _("requests/change-primary/"),
        user_change_views.user_request_change_primary,
        name="user_request_change_primary",
    ),
    path(
        _("requests/remove-user/"),
        user_change_views.user_request_remove,
        name="user_request_remove",
    ),
    path(
        _("requests/<int:pk>/"), user_change_views.user_request_detail, name="user_request_detail"
    ),
]

# IRCC officers' workflow pages (the Django admin at back-office/ complements them).
officer_patterns = [
    path(_("requests/"), officer_views.officer_requests, name="officer_requests"),
    path(_("requests/<int:pk>/"), officer_views.officer_request, name="officer_request"),
    path(_("dlis/"), officer_views.officer_dlis, name="officer_dlis"),
    path(_("dlis/new/"), officer_views.officer_dli_onboard, name="officer_dli_onboard"),
    path(_("dlis/<int:pk>/"), officer_views.officer_dli, name="officer_dli"),
    path(
        _("users/<int:pk>/deactivate/"),
        officer_views.officer_user_deactivate,
        name="officer_user_deactivate",
    ),
]

urlpatterns = [
    path("healthz", core_views.health, name="health"),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path(_("account/"), include(account_patterns)),
    path(_("home/"), institution_views.home, name="home"),
    path(_("users/"), include(user_patterns)),
    path(_("activity/"), audit_views.audit_log, name="audit_log"),
    path(_("officer/"), include(officer_patterns)),
    path(_("terms/"), terms_views.terms, name="terms"),
    path(_("privacy/"), core_views.privacy, name="privacy"),
    path(_("back-office/"), admin.site.urls),
    prefix_default_language=True,
)

if settings.MAILBOX_ENABLED:
    from loaportal.notifications import views as notification_views

    urlpatterns += i18n_patterns(
        path(_("mailbox/"), notification_views.mailbox, name="mailbox"),
        path(_("mailbox/<int:pk>/"), notification_views.mailbox_message, name="mailbox_message"),
        prefix_default_language=True,
    )

handler403 = "loaportal.core.views.permission_denied"
handler404 = "loaportal.core.views.page_not_found"
handler500 = "loaportal.core.views.server_error"
