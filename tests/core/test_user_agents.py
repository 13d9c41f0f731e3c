"""The sessions page names the browser and system ("Chrome on Windows"), not the raw User-Agent."""

from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.utils import translation

from loaportal.core.user_agents import user_agent_describe
from tests import flows
from tests.factories import MembershipFactory

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    ("user_agent", "lang", "expected"),
    [
        (CHROME_WINDOWS, "en", "Chrome on Windows"),
        (CHROME_WINDOWS, "fr", "Chrome sur Windows"),
        (SAFARI_IPHONE, "en", "Mobile Safari on iOS"),
        (FIREFOX_LINUX, "fr", "Firefox sur Linux"),
        ("curl/8.5.0", "en", "curl"),
        ("something nobody knows", "en", "Unknown browser"),
        ("something nobody knows", "fr", "Navigateur inconnu"),
        ("", "en", ""),
    ],
)
def test_browser_and_system_in_the_persons_language(user_agent, lang, expected):
    with translation.override(lang):
        assert user_agent_describe(user_agent) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "Chrome on Windows"), ("fr", "Chrome sur Windows")]
)
def test_sessions_page_shows_browser_and_system(smtp, lang, expected):
    user = MembershipFactory(user__email=f"member.{lang}@college.example").user
    client = flows.signed_in_client(smtp, email=user.email, lang=lang)
    UserSession.objects.filter(user=user).update(user_agent=CHROME_WINDOWS)

    page = client.get(flows.url("account_sessions", lang))

    assert page.status_code == 200
    assert expected in page.content.decode()
    assert "AppleWebKit" not in page.content.decode()
