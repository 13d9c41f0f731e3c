"""The statistics pages in a real browser, in both languages: every chart drawn by the vendored
Chart.js under the portal's Content-Security-Policy (no violation reported), each beside its
table, and axe-core finds no serious or critical issue. With ``LOAPORTAL_SHOTS_DIR`` set, the
pages are also saved as screenshots at 1280 and 390 pixels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loaportal.statistics.services import statistics_refresh
from tests import flows
from tests.browser.helpers import check_accessibility, expect_heading, sign_in_quickly
from tests.factories import OfficerFactory
from tests.statistics import dataset

pytestmark = pytest.mark.browser

PERIOD = "?month_from=2026-01&month_to=2026-06"
SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def _open(browser, live_server, user, url, lang, shot_name):
    shots = os.environ.get("LOAPORTAL_SHOTS_DIR")
    # Reduced motion: the charts are drawn at once (no animation half-way in a screenshot).
    context = browser.new_context(
        base_url=live_server.url, viewport=SIZES["1280"], reduced_motion="reduce"
    )
    sign_in_quickly(context, live_server, user)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.text} at {message.location}")
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    assert page.goto(url).status == 200
    expect_heading(page, "Statistiques" if lang == "fr" else "Statistics")
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart.getChart(c))"
    )
    charts = page.locator("canvas[data-chart]").count()
    # Every chart has its table, with a caption.
    assert page.locator("table.statistics-table caption").count() >= charts > 0
    # Before axe runs: axe-core re-reads the stylesheets as inline <style> elements, which the
    # policy refuses and reports, as it should.
    assert problems == [], "\n".join(problems)
    check_accessibility(page)
    if shots:
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            # The charts redraw at the new width (Chart.js watches its box).
            page.wait_for_function(
                "width => [...document.querySelectorAll('canvas')]"
                ".every(c => c.clientWidth <= width)",
                arg=viewport["width"],
            )
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{shot_name}-{lang}-{size}.png", full_page=True)
            # The first screens at full size, to read (a whole page is too tall to see).
            page.screenshot(
                path=f"{shots}/{shot_name}-{lang}-{size}-top.png",
                full_page=True,
                clip={"x": 0, "y": 0, "width": viewport["width"], "height": 2400},
            )
            if size == "390":
                wide = page.evaluate(
                    "() => [...document.querySelectorAll('body *')]"
                    ".filter(e => e.getBoundingClientRect().right > 392)"
                    ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' '"
                    " + Math.round(e.getBoundingClientRect().right))"
                )
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    context.close()
    return charts


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_statistics_pages_draw_charts_beside_tables_and_pass_axe(
    browser, live_server, settings, lang
):
    for name, value in dataset.AT_RISK_SETTINGS.items():
        setattr(settings, name, value)
    data = dataset.build()
    statistics_refresh(now=dataset.NOW)
    officer = OfficerFactory(preferred_language=lang)
    assert (
        _open(
            browser,
            live_server,
            officer,
            flows.url("statistics:officer", lang) + PERIOD,
            lang,
            "officer",
        )
        == 6
    )
    assert (
        _open(
            browser,
            live_server,
            data.a.secondaries[0],
            flows.url("statistics:dli", lang) + PERIOD,
            lang,
            "dli",
        )
        == 3
    )
