"""The seed's steps through Django's test client, for tests that need a signed-up user."""

from __future__ import annotations

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
    if accept:
        accept_terms(client, lang=lang)
    return response


def signed_in_client(smtp, *, email: str, password: str = PASSWORD, lang: str = "en"):
    """A new test client, signed in as ``email`` through every step (password, code, terms)."""
    from django.test import Client

    client = Client()
    sign_in(client, smtp, email=email, password=password, lang=lang)
    return client
