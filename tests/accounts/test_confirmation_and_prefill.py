"""Around "Confirmez l'inscription": the address is filled in at sign-in right after (WCAG 2.2
3.3.7), the confirmation page opened elsewhere explains what to do, and an address confirmed by
the first sign-in code is said so once (issue 8, items 5 and 6)."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from loaportal.institutions.models import Membership
from loaportal.invitations.services import invitation_send
from tests import flows
from tests.factories import InstitutionFactory

EMAIL = "rep@college.example"
ELSEWHERE = {
    "fr": "Il n'y a aucune inscription à confirmer dans ce navigateur.",
    "en": "There is no sign-up to confirm in this browser.",
}
CONFIRMED_BY_CODE = {
    "fr": "Votre adresse électronique est confirmée par le code de connexion",
    "en": "Your email address is confirmed by the sign-in code, and you are signed in.",
}


@pytest.fixture
def invited(smtp):
    return invitation_send(
        institution=InstitutionFactory(), email=EMAIL, role=Membership.Role.PRIMARY
    )


def notices(html: str) -> list[str]:
    """The "Done" notices (messages) of a page."""
    return re.findall(r'<gcds-notice notice-role="success".*?</gcds-notice>', html, flags=re.S)


def login_field_value(html: str) -> str | None:
    tag = re.search(r'<gcds-input [^>]*name="login"[^>]*>', html).group(0)
    value = re.search(r' value="([^"]*)"', tag)
    return value.group(1) if value else None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sign_in_form_is_filled_in_right_after_confirming(client, smtp, invited, lang):
    flows.sign_up(client, code=invited.code, email=EMAIL, lang=lang)
    code = smtp.wait_for(EMAIL, count=2).first_line  # after the invitation
    response = flows.confirm(client, email=EMAIL, code=code, lang=lang)
    assert response["Location"] == flows.url("account_login", lang)
    page = client.get(response["Location"]).content.decode()
    assert login_field_value(page) == EMAIL
    # Anyone else's sign-in page is empty.
    assert (
        login_field_value(Client().get(flows.url("account_login", lang)).content.decode()) is None
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_confirmation_page_in_another_browser_explains_what_to_do(client, smtp, invited, lang):
    flows.sign_up(client, code=invited.code, email=EMAIL, lang=lang)
    other_browser = Client()
    response = other_browser.get(flows.url("account_email_verification_sent", lang))
    assert response.status_code == 200
    page = response.content.decode()
    assert ELSEWHERE[lang] in page
    assert f'href="{flows.url("account_login", lang)}"' in page
    # The browser that signed up still gets the confirmation form.
    page = client.get(flows.url("account_email_verification_sent", lang)).content.decode()
    assert ELSEWHERE[lang] not in page and 'name="code"' in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_address_confirmed_by_the_first_sign_in_code_is_said_once(smtp, invited, clock, lang):
    Client().post(
        flows.url("account_signup", lang),
        {
            "invitation_code": invited.code,
            "email": EMAIL,
            "password1": "correct horse battery staple maple",
            "surname": "Tremblay",
            "phone_number": "613-555-0123",
        },
    )
    clock.shift(timedelta(seconds=11))  # allauth pauses sign-in briefly after a confirmation email
    later = Client()
    flows.sign_in_password(
        later, email=EMAIL, password="correct horse battery staple maple", lang=lang
    )
    code = smtp.wait_for(EMAIL, count=3).first_line  # invitation, confirmation, sign-in
    later.get(flows.url("account_confirm_login_code", lang))  # the code page, as a browser would
    response = flows.submit_code(later, code=code, lang=lang)
    assert response.status_code == 302
    page = later.get(response["Location"], follow=True).content.decode()
    said = [n for n in notices(page) if CONFIRMED_BY_CODE[lang] in n]
    assert len(said) == 1
    assert len(notices(page)) == 1, notices(page)

    # The next sign-in is an ordinary one: no word about confirming.
    later.post(flows.url("account_logout", lang))
    flows.sign_in_password(
        later, email=EMAIL, password="correct horse battery staple maple", lang=lang
    )
    code = smtp.wait_for(EMAIL, count=4).first_line
    later.get(flows.url("account_confirm_login_code", lang))
    response = flows.submit_code(later, code=code, lang=lang)
    page = later.get(response["Location"], follow=True).content.decode()
    assert CONFIRMED_BY_CODE[lang] not in page
