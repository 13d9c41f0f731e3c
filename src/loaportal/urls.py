"""URLs. Every page lives under /fr/ and /en/ with translated paths; the language toggle leads
to the same page in the other language (``django.urls.translate_url``)."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from loaportal.api.urls import v1_patterns
from loaportal.core import views as core_views
from loaportal.institutions import views as institution_views
from loaportal.terms import views as terms_views

# Replacing the default site's methods on the instance (there is no subclass to configure).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def _password_change(request, extra_context=None):
    # Officers change their password like everyone: same rules, notification email, audit entry.
    return redirect("account_change_password")


admin.site.password_change = _password_change  # type: ignore[method-assign]
admin.site.site_header = _("LOA Portal – back office")
admin.site.site_title = _("LOA Portal back office")
admin.site.index_title = _("Back office")

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", core_views.health, name="health"),
    path("readyz", core_views.readiness, name="readiness"),
    path("metrics", core_views.metrics, name="metrics"),
    # The API: outside the language prefix (programs send Accept-Language), kept stable.
    path("api/v1/", include((v1_patterns(), "api_v1"), namespace="api_v1")),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path(_("account/"), include("loaportal.accounts.urls")),
    path(_("account/"), include("loaportal.reminders.urls")),
    path(_("home/"), institution_views.home, name="home"),
    path(_("users/"), include("loaportal.invitations.urls")),
    path(_("users/"), include("loaportal.user_changes.urls")),
    path(_("activity/"), include("loaportal.audit.urls")),
    path(_("officer/"), include("loaportal.officers.urls")),
    path("", include("loaportal.api.urls")),
    path("", include("loaportal.webhooks.urls")),
    path("", include("loaportal.verifications.urls")),
    path("", include("loaportal.statistics.urls")),
    path("", include("loaportal.amendments.urls")),
    path(_("verifications/file/"), include("loaportal.decision_files.urls")),
    path(_("verifications/admissions/"), include("loaportal.admissions.urls")),
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

handler400 = "loaportal.core.views.bad_request"
handler403 = "loaportal.core.views.permission_denied"
handler404 = "loaportal.core.views.page_not_found"
handler500 = "loaportal.core.views.server_error"
