import json

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import loaportal
from loaportal.core.roles import NOBODY


def portal(request: HttpRequest) -> dict:
    """Branding, version and the language toggle's target: the same page in the other language."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    other = "en" if language == "fr" else "fr"
    other_url = translate_url(request.get_full_path(), other)
    if other_url == request.get_full_path():
        other_url = f"/{other}/"
    return {
        "OFFICIAL_DEPLOYMENT": settings.OFFICIAL_DEPLOYMENT,
        "MAILBOX_ENABLED": settings.MAILBOX_ENABLED,
        "PORTAL_VERSION": settings.PORTAL_VERSION or loaportal.__version__,
        "OTHER_LANGUAGE": other,
        "OTHER_LANGUAGE_URL": other_url,
        "CSP_NONCE": getattr(request, "csp_nonce", ""),
        # Who the user is here (core.roles), set by AccessMiddleware: roles.is_officer, …
        "roles": getattr(request, "roles", NOBODY),
        "FOOTER_CONTEXTUAL_LINKS": json.dumps(
            {_("Account home"): reverse("home")}
            if request.user.is_authenticated
            else {_("Sign up"): reverse("account_signup"), _("Sign in"): reverse("account_login")},
            ensure_ascii=False,
        ),
        "FOOTER_SUB_LINKS": json.dumps(
            {
                _("Terms and conditions"): reverse("terms"),
                _("Privacy"): reverse("privacy"),
            },
            ensure_ascii=False,
        ),
    }
