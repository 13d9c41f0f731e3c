"""Temporary: screenshots for the report (not committed)."""

import datetime as dt

import pytest
from django.utils import timezone

from loaportal.verifications.services import verification_assign
from tests import flows
from tests.browser.helpers import sign_in_quickly
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.browser
OUT = "/work/shots/i10-assign"


def test_shots(browser, live_server, settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "stored"
    dli = dli_with_users(name="shots", secondaries=2)
    now = timezone.now()
    made = [
        a_request(
            dli.institution,
            requested_at=now - dt.timedelta(days=10, minutes=n),
            surname=s,
            given_names=g,
        )
        for n, (s, g) in enumerate(
            [("Tremblay-Longpré", "Marie-Ève"), ("Nguyen", "Thi Thu Trang"), ("Okafor", "Chiamaka")]
        )
    ]
    more = [
        a_request(dli.institution, requested_at=now - dt.timedelta(days=n), surname=f"Gagnon{n}")
        for n in range(1, 6)
    ]
    verification_assign(
        verification_request=made[0], assignee=dli.secondaries[0], assigned_by=dli.primary
    )
    verification_assign(verification_request=more[0], assignee=dli.primary, assigned_by=dli.primary)
    other = dli_with_users(name="shots-b", secondaries=0)
    a_request(other.institution, requested_at=now - dt.timedelta(days=10))
    officer = OfficerFactory()
    for who, pages in (
        (
            dli.primary,
            [
                ("queue", "verifications:queue", {}, ""),
                ("queue-mine", "verifications:queue", {}, "?tab=mine"),
                ("request", "verifications:request_detail", {"pk": made[0].pk}, ""),
                ("at-risk", "verifications:at_risk", {}, ""),
                ("home", "home", {}, ""),
            ],
        ),
        (
            officer,
            [
                ("officer-at-risk", "verifications:officer_at_risk", {}, ""),
                ("officer-list", "verifications:officer_list", {}, ""),
                ("officer-request", "verifications:officer_detail", {"pk": made[0].pk}, ""),
            ],
        ),
    ):
        for width in (1280, 390):
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": 900}
            )
            sign_in_quickly(context, live_server, who)
            page = context.new_page()
            for lang in ("fr", "en"):
                for name, url_name, kwargs, query in pages:
                    page.goto(flows.url(url_name, lang, **kwargs) + query)
                    page.wait_for_function("() => !document.querySelector(':not(:defined)')")
                    page.wait_for_timeout(300)
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= width, (name, lang, width, scroll)
                    page.screenshot(path=f"{OUT}/{name}-{lang}-{width}.png", full_page=True)
            context.close()
