"""The seed's steps through Django's test client, for tests that need a signed-up user."""

from __future__ import annotations

import time

from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def sign_up(client, *, code: str, email: str, password: str = PASSWORD, lang: str = "en", **extra):
    data = {
        "invitation_code": code,
        "email": email,
        "password1": password,
        "surname": "Tremblay",
        "given_names": "Marie",
        "phone_number": "613-555-0123",
        **extra,
    }
    return client.post(url("account_signup", lang), data)


def confirm(client, *, email: str, code: str, lang: str = "en"):
    return client.post(
        url("account_email_verification_sent", lang),
        {"action": "verify", "email": email, "code": code},
    )


def sign_in_password(client, *, email: str, password: str = PASSWORD, lang: str = "en"):
    return client.post(url("account_login", lang), {"login": email, "password": password})


def submit_code(client, *, code: str, lang: str = "en"):
    return client.post(url("account_confirm_login_code", lang), {"action": "verify", "code": code})


def submit_second_factor(client, *, email: str, code: str | None = None, lang: str = "en"):
    """The third step, for an account with an authenticator app (``factories.totp_code``)."""
    from django.contrib.auth import get_user_model

    from tests.factories import totp_code

    if code is None:
        code = totp_code(get_user_model().objects.get(email__iexact=email))
    return client.post(url("mfa_authenticate", lang), {"code": code})


def resend_code(client, *, lang: str = "en"):
    return client.post(url("account_confirm_login_code", lang), {"action": "resend"})


def accept_terms(client, *, lang: str = "en"):
    from loaportal.terms.selectors import terms_current

    return client.post(url("terms", lang), {"version": terms_current().version})


def sign_in(client, smtp, *, email: str, password: str = PASSWORD, lang: str = "en", accept=True):
    """Password, emailed code, and (by default) the terms: a fully signed-in client."""
    before = len(smtp.for_address(email))
    response = sign_in_password(client, email=email, password=password, lang=lang)
    assert response.status_code == 302, response.content[:500]
    code = smtp.wait_for(email, count=before + 1).first_line
    response = submit_code(client, code=code, lang=lang)
    assert response.status_code == 302
    if response["Location"] == url("mfa_authenticate", lang):
        response = submit_second_factor(client, email=email, lang=lang)
        assert response.status_code == 302, response.content[:500]
    if accept:
        accept_terms(client, lang=lang)
    return response


def signed_in_client(
    _smtp=None, *, email: str, accept_terms: bool = True, lang: str = "en", password: str = ""
):
    """A new test client signed in as the user with ``email`` (``sign_in_quickly``): for tests
    written before the ``signed_in`` fixture, which takes a user instead of an address. The
    language and password of the journey it replaced play no part in it."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(email__iexact=email)
    sign_in_quickly(client, user, accept_terms=accept_terms)
    return client


def sign_in_quickly(client, user, *, accept_terms: bool = True) -> None:
    """Leave ``client`` in the state the whole sign-in leaves it, without the pages.

    What a completed sign-in leaves behind, as the journey does it (``flows.sign_in``), from the
    test client's address (127.0.0.1): a new Django session of the user (``login`` sends
    ``user_logged_in``, so the sign-in is audited), allauth's record of the two steps passed
    (password, then the emailed code), the tracked session (``allauth.usersessions``, which
    ending a user's sessions relies on) and, unless ``accept_terms`` is False, the acceptance
    of the current terms. ``tests/accounts/test_quick_sign_in.py`` compares the result with the
    journey's.
    """
    from importlib import import_module

    from allauth.account import signals as account_signals
    from allauth.account.internal.flows.login import record_authentication
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from loaportal.core.sessions import WRITTEN_AT
    from loaportal.terms.selectors import terms_current
    from loaportal.terms.services import terms_accept

    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = AnonymousUser()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    for method in ("password", "code"):
        record_authentication(request, user, method=method, email=user.email)
    if not settings.ACCOUNT_SESSION_REMEMBER:
        request.session.set_expiry(0)
    # The session middleware stamps each write (core.sessions, ADR 0020).
    request.session[WRITTEN_AT] = time.time()
    request.session.save()
    # allauth tracks the session on its own "logged in" signal, which Django's login does not send.
    account_signals.user_logged_in.send(
        sender=user.__class__, request=request, response=None, user=user
    )
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    if accept_terms and (current := terms_current()) is not None:
        terms_accept(user=user, version=current, ip_address=request.META["REMOTE_ADDR"])
