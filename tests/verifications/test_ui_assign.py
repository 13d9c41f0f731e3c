"""Assignment in the pages: the request page's "Take it" and colleague list, the queue's
"Assigned to me" tab, assignee column and filter, with the queue's query count unchanged; and
no assignment across DLIs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_assign
from tests import flows
from tests.factories import dli_with_users
from tests.verifications.ui_support import a_request, many_requests

pytestmark = pytest.mark.django_db

LABELS = {
    "fr": {"mine": "Mes demandes", "take": "Me l'attribuer", "assigned": "Attribuée à"},
    "en": {"mine": "Assigned to me", "take": "Take it", "assigned": "Assigned to"},
}


def _rows(html: str) -> list[str]:
    return re.findall(r">(S\d{9})</gcds-link>", html)


def _assign_url(vr, lang="en"):
    return flows.url("verifications:assign", lang, pk=vr.pk)


def _detail(vr, lang="en"):
    return flows.url("verifications:request_detail", lang, pk=vr.pk)


@pytest.fixture
def world():
    a, b = dli_with_users(name="a", secondaries=1), dli_with_users(name="b", secondaries=1)
    return a, b, a_request(a.institution, surname="Gagnon")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_request_page_offers_take_it_and_the_colleagues_only(signed_in, world, lang):
    a, b, vr = world
    html = signed_in(a.primary).get(_detail(vr, lang)).content.decode()
    assert LABELS[lang]["take"] in html
    assert f'action="{_assign_url(vr, lang)}"' in html
    for colleague in (a.primary, a.secondaries[0]):
        assert f'<option value="{colleague.pk}"' in html
    for stranger in (b.primary, b.secondaries[0]):
        assert f'<option value="{stranger.pk}"' not in html and stranger.email not in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_assigning_to_a_colleague_puts_it_in_their_tab(signed_in, world, lang):
    a, _, vr = world
    colleague = a.secondaries[0]
    response = signed_in(a.primary).post(_assign_url(vr, lang), {"assignee": colleague.pk})
    assert response.status_code == 302 and response["Location"] == _detail(vr, lang)
    vr.refresh_from_db()
    assert vr.assigned_to == colleague
    client = signed_in(colleague)
    page = client.get(_detail(vr, lang)).content.decode()
    assert colleague.email in page
    queue = flows.url("verifications:queue", lang)
    html = client.get(queue).content.decode()
    assert f"{LABELS[lang]['mine']} (1)" in html
    assert _rows(client.get(queue, {"tab": "mine"}).content.decode()) == [vr.application_number]
    # The primary user's own tab is empty.
    mine = signed_in(a.primary).get(queue, {"tab": "mine"}).content.decode()
    assert f"{LABELS[lang]['mine']} (0)" in mine and _rows(mine) == []


def test_take_it_then_unassign(signed_in, world):
    a, _, vr = world
    client = signed_in(a.secondaries[0])
    client.post(_assign_url(vr), {"assignee": a.secondaries[0].pk})
    vr.refresh_from_db()
    assert vr.assigned_to == a.secondaries[0]
    assert "Take it" not in client.get(_detail(vr)).content.decode()
    client.post(_assign_url(vr), {"assignee": "none"})
    vr.refresh_from_db()
    assert vr.assigned_to is None


def test_a_user_of_another_dli_is_refused_as_assignee(signed_in, world):
    a, b, vr = world
    response = signed_in(a.primary).post(_assign_url(vr), {"assignee": b.secondaries[0].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a user of your DLI, or nobody." in html
    vr.refresh_from_db()
    assert vr.assigned_to is None


def test_another_dli_can_neither_see_nor_assign_the_request(signed_in, world):
    a, b, vr = world
    client = signed_in(b.primary)
    assert client.post(_assign_url(vr), {"assignee": b.primary.pk}).status_code == 404
    assert client.post(_assign_url(vr), {"assignee": a.primary.pk}).status_code == 404
    assert client.get(_assign_url(vr)).status_code == 405
    vr.refresh_from_db()
    assert vr.assigned_to is None
    # Nor does DLI B's queue show A's assignments or users.
    verification_assign(verification_request=vr, assignee=a.primary, assigned_by=a.primary)
    html = client.get(flows.url("verifications:queue", "en"), {"tab": "mine"}).content.decode()
    assert vr.application_number not in html and a.primary.email not in html
    filtered = client.get(
        flows.url("verifications:queue", "en"), {"assignee": a.primary.pk}
    ).content.decode()
    assert _rows(filtered) == []


def test_the_queue_shows_and_filters_by_assignee(signed_in, world):
    a, _, vr = world
    other = a_request(a.institution, surname="Haddad")
    verification_assign(verification_request=vr, assignee=a.secondaries[0], assigned_by=a.primary)
    client = signed_in(a.primary)
    url = flows.url("verifications:queue", "en")
    html = client.get(url).content.decode()
    assert "Assigned to" in html and a.secondaries[0].full_name in html and "Unassigned" in html
    assert _rows(client.get(url, {"assignee": a.secondaries[0].pk}).content.decode()) == [
        vr.application_number
    ]
    unassigned = client.get(url, {"assignee": "none"}).content.decode()
    assert _rows(unassigned) == [other.application_number]
    # Tabs and the export keep the filter.
    assert "?tab=mine&amp;assignee=none" in unassigned
    export = flows.url("verifications:queue_export", "en")
    assert f'href="{export}?tab=todo&amp;assignee=none"' in unassigned


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queue_query_count_does_not_grow_with_assigned_requests(signed_in):
    dli = dli_with_users(secondaries=2)
    client = signed_in(dli.primary)
    url = flows.url("verifications:queue", "en")
    people = [dli.primary, *dli.secondaries]

    def add(count):
        made = many_requests(dli.institution, count)
        for index, vr in enumerate(made):
            vr.assigned_to = people[index % 3]
        VerificationRequest.objects.bulk_update(made, ["assigned_to"])

    client.get(url)  # the first page after signing in writes the session (ADR 0020)
    add(10)
    tabs = ("todo", "mine", "due_soon")
    with_10 = {tab: _queries(client, f"{url}?tab={tab}") for tab in tabs}
    add(490)
    with_500 = {tab: _queries(client, f"{url}?tab={tab}") for tab in tabs}
    assert with_10 == with_500
    assert _queries(client, f"{url}?assignee={dli.secondaries[0].pk}") == with_500["todo"]
