"""One notice per event: a page never says the same thing twice, and the sign-in pages show the
address masked (ui.md). The journeys run on a phone-sized window, so the sign-up and sign-in
steps, which need a pending sign-in to open, are also checked for sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loaportal.accounts.stages import mask_email
from loaportal.invitations.services import invitation_send
from tests.browser.helpers import LABELS, expect_heading, fill, press, sign_up
from tests.browser.test_narrow_screens import HYDRATED, MEASURE, PHONE
from tests.factories import PASSWORD, InstitutionFactory, MembershipFactory

pytestmark = pytest.mark.browser

RESET = {
    "fr": {
        "send": "Envoyer un code",
        "new_password": "Nouveau mot de passe",
        "change": "Changer le mot de passe",
        "done": "Mot de passe changé",
        "changed": "Votre mot de passe a été changé",
    },
    "en": {
        "send": "Send a code",
        "new_password": "New password",
        "change": "Change password",
        "done": "Password changed",
        "changed": "Your password was changed",
    },
}


def notices(page) -> list[str]:
    page.wait_for_function(HYDRATED)
    return [text.strip() for text in page.locator(".portal-messages gcds-notice").all_inner_texts()]


def fits_the_phone(page) -> None:
    page.wait_for_function(HYDRATED)
    size = page.evaluate(MEASURE)
    assert size["html"] <= size["inner"] and size["body"] <= size["inner"], (page.url, size)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sign_up_and_sign_in_say_each_thing_once(page, smtp, lang):
    t = LABELS[lang]
    page.set_viewport_size(PHONE)
    email = f"marie-eve.tremblay.{lang}@registrariat.college-des-aurores.example"
    invitation_send(institution=InstitutionFactory(), email=email, role="primary")
    page.goto(f"/{lang}/")
    page.get_by_role("link", name=t["sign_up"], exact=True).first.click()
    sign_up(page, lang, code=smtp.wait_for(email).first_line, email=email)

    # The confirmation page says where the code went; no notice repeats it.
    expect_heading(page, t["confirm_sign_up"])
    assert notices(page) == []
    fits_the_phone(page)
    fill(page, t["verification_code"], smtp.wait_for(email, count=2).first_line)
    press(page, t["confirm"])

    # One "Done" notice: the address is confirmed, sign in.
    expect_heading(page, t["sign_in"])
    assert len(notices(page)) == 1, notices(page)
    fill(page, t["email"], email)
    fill(page, t["password"], PASSWORD)
    press(page, t["sign_in"])

    # The code page names the address masked, and only there; no notice.
    expect_heading(page, t["verification_code"])
    assert notices(page) == []
    expect(page.locator("#main-content")).to_contain_text(mask_email(email))
    assert email not in page.content()
    fits_the_phone(page)

    # "Request a new code": one notice for that event, the address masked.
    press(page, t["new_code"])
    expect_heading(page, t["verification_code"])
    said = notices(page)
    assert len(said) == 1 and mask_email(email) in said[0], said
    assert email not in page.content()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_password_changed_is_said_once(page, smtp, lang):
    t, x = LABELS[lang], RESET[lang]
    page.set_viewport_size(PHONE)
    user = MembershipFactory(user__email=f"forgetful.{lang}@college.example").user
    page.goto(f"/{lang}/")
    page.get_by_role("link", name=t["sign_in"], exact=True).first.click()
    page.get_by_role(
        "link", name="Mot de passe oublié\u00a0?" if lang == "fr" else "Forgot your password?"
    ).click()
    fill(page, t["email"], user.email)
    press(page, x["send"])
    fits_the_phone(page)
    fill(page, t["verification_code"], smtp.wait_for(user.email).first_line)
    press(page, t["validate_code"])
    fits_the_phone(page)
    fill(page, x["new_password"], "autumn lanterns over quiet harbours")
    press(page, x["change"])

    expect_heading(page, x["done"])
    assert notices(page) == []
    assert page.locator("#main-content").inner_text().count(x["changed"]) == 1
    fits_the_phone(page)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_signed_in_password_change_is_said_once(page, smtp, lang):
    from tests.browser.helpers import sign_in_fully

    t = LABELS[lang]
    user = MembershipFactory(user__email=f"changer.{lang}@college.example").user
    sign_in_fully(page, smtp, lang, user.email)
    page.goto(f"/{lang}/")
    page.goto(
        "/fr/compte/mot-de-passe/changer/" if lang == "fr" else "/en/account/password/change/"
    )
    fill(page, "Mot de passe actuel" if lang == "fr" else "Current password", PASSWORD)
    fill(page, RESET[lang]["new_password"], "autumn lanterns over quiet harbours")
    press(page, RESET[lang]["change"])
    expect_heading(page, t["home"])
    assert len(notices(page)) == 1, notices(page)
