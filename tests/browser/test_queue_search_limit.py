"""The queue when a search matches more requests than it counts (ADR 0019), in a real browser,
in both languages: the notice is shown above the table, the page passes axe and fits a narrow
screen. With ``LOAPORTAL_SHOTS_DIR`` set, saved as screenshots at 1280 and 390 pixels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests import flows
from tests.browser.helpers import check_accessibility, sign_in_quickly
from tests.factories import dli_with_users
from tests.verifications.ui_support import many_requests

pytestmark = pytest.mark.browser

SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}
NOTICE = {
    "en": "More than 30 requests match",
    "fr": "Plus de 30 demandes correspondent",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_search_limit_notice_reads_and_fits(browser, live_server, monkeypatch, lang):
    monkeypatch.setattr("loaportal.verifications.views.SEARCH_COUNT_LIMIT", 30)
    # The previous test's users had the same ids (SQLite reuses them after the flush): what
    # the cache remembers of them (their language) must not carry over.
    cache.clear()
    dli = dli_with_users(secondaries=0)
    many_requests(dli.institution, 40)
    dli.primary.preferred_language = lang
    dli.primary.save(update_fields=["preferred_language"])
    context = browser.new_context(base_url=live_server.url, viewport=SIZES["1280"])
    sign_in_quickly(context, live_server, dli.primary)
    page = context.new_page()
    url = flows.url("verifications:queue", lang) + "?q=Surname"
    assert page.goto(url).status == 200
    notice = page.get_by_role("status").filter(has_text=NOTICE[lang])
    # The design system's element is upgraded after the page loads: wait for it.
    expect(notice).to_have_count(1)
    check_accessibility(page)
    shots = os.environ.get("LOAPORTAL_SHOTS_DIR")
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=f"{shots}/queue-search-limit-{lang}-{size}.png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": viewport["width"], "height": 1600},
            )
    context.close()
