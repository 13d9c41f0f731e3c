"""The "Notifications" page sends the choices it shows (``gcds-radios`` and ``gcds-select``
post what they gave the form, see test_choices_sent): saved untouched, the defaults arrive;
changed, then saved untouched again, the new choices arrive."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from loaportal.reminders.models import ReminderPreference
from tests.browser.helpers import check_accessibility, expect_heading, field
from tests.browser.test_choices_sent import radio, signed_in_page, submit, url
from tests.factories import dli_with_users

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "save": "Enregistrer",
        "assigned": "Seulement les demandes qui me sont attribuées",
        "off": "Non, ne pas m'envoyer de résumé quotidien",
        "hour": "Heure d'envoi",
        "saved": "Vos choix de notification ont été enregistrés.",
    },
    "en": {
        "save": "Save",
        "assigned": "Only the requests assigned to me",
        "off": "No, do not send me a daily summary",
        "hour": "Time of day",
        "saved": "Your notification choices were saved.",
    },
}


def choices(user) -> tuple[bool, str, int]:
    preference = ReminderPreference.objects.get(user=user)
    return preference.daily_summary, preference.scope, preference.hour


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_notifications_page_sends_what_it_shows(browser, live_server, lang):
    t = TEXT[lang]
    dli = dli_with_users(secondaries=0)
    page = signed_in_page(browser, live_server, dli.primary, lang)
    page.goto(url("reminders:preferences", lang))
    expect_heading(page, "Notifications")
    check_accessibility(page)

    submit(page, t["save"])
    expect(page.get_by_text(t["saved"])).to_be_visible()
    assert choices(dli.primary) == (True, "all", 8)

    radio(page, t["assigned"]).check(force=True)
    radio(page, t["off"]).check(force=True)
    field(page, t["hour"]).select_option("17")
    submit(page, t["save"])
    assert choices(dli.primary) == (False, "assigned", 17)

    page.reload()
    submit(page, t["save"])
    assert choices(dli.primary) == (False, "assigned", 17)
