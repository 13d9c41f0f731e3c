"""Absolute session lifetime: a sign-in lasts at most SESSION_ABSOLUTE_SECONDS, even if active.

The idle limit is the session cookie age (renewed on every request); this middleware adds the
overall limit required by OWASP ASVS 4.0.3 3.3.2 and signs the person out when it is reached.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from loaportal.accounts.services import user_language_set

SESSION_KEY = "loaportal_signed_in_at"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SESSION_KEY)
            if signed_in_at is None:
                request.session[SESSION_KEY] = time.time()
            elif time.time() - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class UserLanguageMiddleware:
    """The account's language follows the person: each page they open while signed in, in
    French or English, records that language on their account (the language toggle included).

    Runs after ``LocaleMiddleware`` (the page's language, from its ``/fr/`` or ``/en/``
    address) and the authentication middleware. Addresses without a language prefix
    (``/healthz``, static files) say nothing about a choice and are skipped.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and request.path[:4] in ("/fr/", "/en/"):
            language = request.path[1:3]
            if user.preferred_language != language:
                user_language_set(user=user, language=language)
        return self.get_response(request)
