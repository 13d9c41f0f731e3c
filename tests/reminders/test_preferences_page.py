"""The "Notifications" page in the account of a DLI user: linked from the account home, the
daily summary on or off, which requests, at what hour; the primary user is told the 24-hour
alert is always on. Each change is audited."""

from __future__ import annotations

import json
import re

import pytest

from loaportal.audit.models import AuditEvent
from loaportal.reminders.models import ReminderPreference
from tests import flows
from tests.factories import OfficerFactory, dli_with_users

pytestmark = pytest.mark.django_db

PATHS = {"fr": "/fr/compte/notifications/", "en": "/en/account/notifications/"}
ALWAYS_ON = {
    "fr": "L'alerte de 24 heures est toujours active",
    "en": "The 24-hour alert is always on",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_linked_from_the_account_home_at_a_bilingual_address(signed_in, lang):
    dli = dli_with_users(secondaries=1)
    for user in (dli.primary, dli.secondaries[0]):
        client = signed_in(user)
        assert flows.url("reminders:preferences", lang) == PATHS[lang]
        home = client.get(flows.url("home", lang)).content.decode()
        assert f'href="{PATHS[lang]}">Notifications</gcds-link>' in home
        assert client.get(PATHS[lang]).status_code == 200


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_primary_user_is_told_the_alert_is_always_on(signed_in, lang):
    dli = dli_with_users(secondaries=1)
    primary = signed_in(dli.primary).get(PATHS[lang]).content.decode()
    secondary = signed_in(dli.secondaries[0]).get(PATHS[lang]).content.decode()
    assert ALWAYS_ON[lang] in primary.replace("&#x27;", "'")
    assert ALWAYS_ON[lang] not in secondary.replace("&#x27;", "'")


def _options(html: str, name: str) -> list[dict]:
    match = re.search(rf'<gcds-radios id="id_{name}" [^>]*options="([^"]*)"', html)
    assert match, name
    return json.loads(match.group(1).replace("&quot;", '"').replace("&#x27;", "'"))


def test_the_defaults_are_shown_then_a_change_is_saved_and_audited(signed_in):
    dli = dli_with_users(secondaries=1)
    user = dli.secondaries[0]
    client = signed_in(user)
    html = client.get(PATHS["en"]).content.decode()
    assert [o["value"] for o in _options(html, "daily_summary") if o.get("checked")] == ["on"]
    assert [o["value"] for o in _options(html, "scope") if o.get("checked")] == ["all"]
    assert '<option value="8" selected>8 a.m.</option>' in html
    assert "America/Toronto" in html

    response = client.post(PATHS["en"], {"daily_summary": "on", "scope": "assigned", "hour": "17"})
    assert response.status_code == 302 and response["Location"] == PATHS["en"]
    preference = ReminderPreference.objects.get(user=user)
    assert (preference.daily_summary, preference.scope, preference.hour) == (True, "assigned", 17)
    event = AuditEvent.objects.get(event_type="reminder_preferences_changed")
    assert event.actor == user and event.target_user == user
    assert event.institution == dli.institution
    assert event.details == {
        "before": {"daily_summary": True, "scope": "all", "hour": 8},
        "after": {"daily_summary": True, "scope": "assigned", "hour": 17},
    }
    html = client.get(PATHS["en"]).content.decode()
    assert "Your notification choices were saved." in html
    assert [o["value"] for o in _options(html, "scope") if o.get("checked")] == ["assigned"]
    assert '<option value="17" selected>5 p.m.</option>' in html

    # The same choices again: nothing changed, nothing audited.
    client.post(PATHS["en"], {"daily_summary": "on", "scope": "assigned", "hour": "17"})
    assert AuditEvent.objects.filter(event_type="reminder_preferences_changed").count() == 1
    client.post(PATHS["en"], {"daily_summary": "off", "scope": "assigned", "hour": "17"})
    assert not ReminderPreference.objects.get(user=user).daily_summary
    assert AuditEvent.objects.filter(event_type="reminder_preferences_changed").count() == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_wrong_answers_are_shown_on_the_form(signed_in, lang):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    response = client.post(PATHS[lang], {"daily_summary": "maybe", "scope": "", "hour": "24"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<gcds-error-summary" in html
    assert html.count("error-message=") == 3
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith("Erreur" if lang == "fr" else "Error:")
    assert not ReminderPreference.objects.exists()
    assert not AuditEvent.objects.filter(event_type="reminder_preferences_changed").exists()


def test_french_hours(signed_in):
    dli = dli_with_users(secondaries=0)
    html = signed_in(dli.primary).get(PATHS["fr"]).content.decode()
    assert '<option value="8" selected>8\u00a0h\u00a000</option>' in html


def test_officers_have_no_notifications_page(signed_in):
    assert signed_in(OfficerFactory()).get(PATHS["en"]).status_code == 403


def test_the_service_refuses_someone_without_a_dli(db):
    from loaportal.reminders.services import ReminderError, reminder_preference_update

    with pytest.raises(ReminderError):
        reminder_preference_update(user=OfficerFactory(), daily_summary=True, scope="all", hour=8)
    dli = dli_with_users(secondaries=0)
    with pytest.raises(ReminderError) as refused:
        reminder_preference_update(user=dli.primary, daily_summary=True, scope="all", hour=24)
    assert refused.value.field == "hour"
    with pytest.raises(ReminderError) as refused:
        reminder_preference_update(user=dli.primary, daily_summary=True, scope="x", hour=8)
    assert refused.value.field == "scope"
