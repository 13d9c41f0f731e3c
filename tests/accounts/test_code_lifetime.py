"""The sign-in code's lifetime is said from LOGIN_CODE_VALIDITY_SECONDS wherever it appears
(issue 7, item 5): the sign-in page, the code page, the email and the "expired" error, in both
languages. The setting is changed here to 5 minutes, so any hard-coded "3 minutes" shows up."""

from datetime import timedelta

import pytest
from django.utils import translation

from loaportal.core.durations import duration_text
from tests import flows
from tests.factories import MembershipFactory

SAID = {"fr": "5 minutes", "en": "5 minutes"}
EXPIRED = {"fr": "a expiré", "en": "has expired"}


@pytest.fixture
def five_minutes(settings):
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 300
    settings.ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 7 * 60


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_email_and_error_say_the_configured_lifetime(client, smtp, five_minutes, clock, lang):
    user = MembershipFactory(user__preferred_language=lang).user
    page = client.get(flows.url("account_login", lang)).content.decode()
    assert SAID[lang] in page and "3 minutes" not in page

    flows.sign_in_password(client, email=user.email, lang=lang)
    email = smtp.wait_for(user.email)
    assert SAID[lang] in email.text and "3 minutes" not in email.text
    page = client.get(flows.url("account_confirm_login_code", lang)).content.decode()
    assert SAID[lang] in page and "3 minutes" not in page

    clock.shift(timedelta(seconds=301))
    page = flows.submit_code(client, code=email.first_line, lang=lang).content.decode()
    assert EXPIRED[lang] in page
    assert SAID[lang] in page and "3 minutes" not in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_password_reset_pages_and_email_say_the_configured_lifetime(
    client, smtp, five_minutes, lang
):
    user = MembershipFactory(user__preferred_language=lang).user
    page = client.get(flows.url("account_reset_password", lang)).content.decode()
    assert "7 minutes" in page and "10 minutes" not in page
    response = client.post(flows.url("account_reset_password", lang), {"email": user.email})
    page = client.get(response["Location"]).content.decode()
    assert "7 minutes" in page and "10 minutes" not in page
    assert "7 minutes" in smtp.wait_for(user.email).text


@pytest.mark.parametrize(
    ("seconds", "fr", "en"),
    [
        (180, "3 minutes", "3 minutes"),
        (60, "1 minute", "1 minute"),
        (45, "45 secondes", "45 seconds"),
        (90, "1 minute et 30 secondes", "1 minute and 30 seconds"),
    ],
)
def test_durations_in_words(seconds, fr, en):
    with translation.override("fr"):
        assert duration_text(seconds) == fr
    with translation.override("en"):
        assert duration_text(seconds) == en
