import json

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import loaportal
from loaportal.core.roles import NOBODY


def translate_page_url(request: HttpRequest, language: str) -> str:
    """The current page in ``language``, with a ``next`` address translated too, so that the
    page the person goes on to (after "J'accepte", after signing in) keeps the chosen language.
    """
    path = translate_url(request.path, language)
    if path == request.path:
        return f"/{language}/"
    query = request.GET.copy()
    next_url = query.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        query["next"] = translate_url(next_url, language)
    return f"{path}?{query.urlencode(safe='/')}" if query else path


def portal(request: HttpRequest) -> dict:
    """Branding, version and the language toggle's target: the same page in the other language."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    # No user yet on an error page for a request refused before authentication (a 400 for a
    # host name that is not served, for instance).
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    other = "en" if language == "fr" else "fr"
    other_url = translate_page_url(request, other)
    return {
        "OFFICIAL_DEPLOYMENT": settings.OFFICIAL_DEPLOYMENT,
        "PORTAL_VERSION": settings.PORTAL_VERSION or loaportal.__version__,
        "OTHER_LANGUAGE": other,
        "OTHER_LANGUAGE_URL": other_url,
        "CSP_NONCE": getattr(request, "csp_nonce", ""),
        # Who the user is here (core.roles), set by AccessMiddleware: roles.is_officer, …
        "roles": getattr(request, "roles", NOBODY),
        "FOOTER_CONTEXTUAL_LINKS": json.dumps(
            {_("Account home"): reverse("home")}
            if signed_in
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
