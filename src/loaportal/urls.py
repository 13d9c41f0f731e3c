"""URLs. Every page lives under /fr/ and /en/ with translated paths; the language toggle leads
to the same page in the other language (``django.urls.translate_url``)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from allauth.account.decorators import secure_admin_login

from loaportal.accounts import views as account_views
from loaportal.core import views as core_views
from loaportal.terms import views as terms_views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("LOA Portal – back office")
admin.site.site_title = _("LOA Portal back office")
admin.site.index_title = _("Back office")

account_patterns = [
    path(_("sign-up/"), account_views.signup, name="account_signup"),
    path(_("sign-up/confirm/"), account_views.confirm_signup, name="account_email_verification_sent"),
    path(_("sign-in/"), account_views.login, name="account_login"),
    path(_("sign-in/code/"), account_views.confirm_login_code, name="account_confirm_login_code"),
    path(_("sign-out/"), account_views.logout, name="account_logout"),
    path(_("inactive/"), account_views.account_inactive, name="account_inactive"),
]

urlpatterns = [
    path("healthz", core_views.health, name="health"),
]

urlpatterns += i18n_patterns(
    path("", core_views.landing, name="landing"),
    path(_("account/"), include(account_patterns)),
    path(_("home/"), account_views.home, name="home"),
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
