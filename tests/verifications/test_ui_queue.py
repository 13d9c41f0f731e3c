"""The DLI's queue: linked from the home page, tabs with counts, search, order by due date,
time left, pages, a bounded number of SQL queries, and only the DLI's own requests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests import flows
from tests.factories import dli_with_users
from tests.verifications.ui_support import a_request, many_requests

pytestmark = pytest.mark.django_db

HOME_LINK = {"fr": "Lettres d'acceptation à vérifier", "en": "Letters of acceptance to verify"}


def _rows(html: str) -> list[str]:
    """The application numbers of the table's rows, in order."""
    return re.findall(r">(S\d{9})</gcds-link>", html)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_page_links_to_the_queue_with_the_kept_label(signed_in, lang):
    dli = dli_with_users(secondaries=1)
    client = signed_in(dli.secondaries[0])
    html = client.get(flows.url("home", lang)).content.decode()
    queue = flows.url("verifications:queue", lang)
    assert re.search(rf'href="{re.escape(queue)}">{re.escape(HOME_LINK[lang])}</gcds-link>', html)
    assert client.get(queue).status_code == 200


def test_tabs_count_and_hold_their_requests(signed_in):
    dli = dli_with_users(secondaries=1)
    now = timezone.now()
    later = a_request(dli.institution)  # due in 10 days
    soon = a_request(dli.institution, requested_at=now - dt.timedelta(days=8))
    decided = a_request(dli.institution)
    verification_decide(
        verification_request=decided,
        outcome=VerificationRequest.Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    overdue = a_request(dli.institution, requested_at=now - dt.timedelta(days=12))
    client = signed_in(dli.secondaries[0])
    url = flows.url("verifications:queue", "en")

    todo = client.get(url).content.decode()
    assert "To do (2)" in todo and "Due within 3 days (1)" in todo
    assert "Decided (1)" in todo and "No response (1)" in todo
    # Sorted by due date: the request due soonest first.
    assert _rows(todo) == [soon.application_number, later.application_number]
    assert _rows(client.get(url + "?tab=due_soon").content.decode()) == [soon.application_number]
    assert _rows(client.get(url + "?tab=decided").content.decode()) == [decided.application_number]
    no_response = client.get(url + "?tab=no_response").content.decode()
    assert _rows(no_response) == [overdue.application_number]
    assert "No response" in no_response


def test_each_row_links_by_its_application_number_and_shows_the_time_left(signed_in, clock):
    dli = dli_with_users(secondaries=0)
    vr = a_request(dli.institution)
    clock.move_to(vr.due_at - dt.timedelta(days=2, hours=5, minutes=30))
    html = signed_in(dli.primary).get(flows.url("verifications:queue", "en")).content.decode()
    detail = flows.url("verifications:request_detail", "en", pk=vr.pk)
    assert f'<gcds-link href="{detail}">{vr.application_number}</gcds-link>' in html
    assert "2 days and 5 hours left" in html
    # The due date is in the DLI's zone (Ontario), named.
    assert re.search(r"\d{4}-\d{2}-\d{2} 23:59 E[DS]T", html)

    fr = signed_in(dli.primary).get(flows.url("verifications:queue", "fr")).content.decode()
    assert "2 jours et 5 heures" in fr


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gagnon", "gagnon"),
        ("S399999001", "number"),
        ("STU-77", "student"),
        ("1999-12-31", "born"),
    ],
)
def test_search_by_name_application_number_student_id_or_date_of_birth(signed_in, query, expected):
    dli = dli_with_users(secondaries=0)
    made = {
        "gagnon": a_request(dli.institution, surname="Gagnon"),
        "number": a_request(dli.institution, application_number="S399999001"),
        "student": a_request(dli.institution, student_id="STU-77"),
        "born": a_request(dli.institution, date_of_birth=dt.date(1999, 12, 31)),
    }
    html = (
        signed_in(dli.primary)
        .get(flows.url("verifications:queue", "en"), {"q": query})
        .content.decode()
    )
    assert _rows(html) == [made[expected].application_number]


def test_pages_of_25_keep_the_tab_and_the_search(signed_in):
    dli = dli_with_users(secondaries=0)
    many_requests(dli.institution, 30)
    client = signed_in(dli.primary)
    url = flows.url("verifications:queue", "en")
    first = client.get(url, {"q": "Surname"}).content.decode()
    assert len(_rows(first)) == 25
    assert "Page 1 of 2" in first and "?tab=todo&amp;q=Surname&amp;page=2" in first
    second = client.get(url, {"q": "Surname", "page": 2}).content.decode()
    assert len(_rows(second)) == 5
    assert not set(_rows(first)) & set(_rows(second))


def _queue_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_runs_the_same_number_of_queries_for_10_and_1000_requests(signed_in):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    url = flows.url("verifications:queue", "en")
    client.get(url)  # the first page after signing in writes the session (ADR 0020)
    many_requests(dli.institution, 10)
    with_10 = {tab: _queue_queries(client, f"{url}?tab={tab}") for tab in ("todo", "due_soon")}
    many_requests(dli.institution, 990)
    with_1000 = {tab: _queue_queries(client, f"{url}?tab={tab}") for tab in ("todo", "due_soon")}
    assert with_10 == with_1000
    assert max(with_1000.values()) <= 12
    searched = _queue_queries(client, f"{url}?q=Surname1&page=2")
    # A search that could be a name looks up application numbers and student IDs first (one
    # small query); its matches are counted with the tab counts.
    assert searched == with_1000["todo"] + 1


def test_a_dli_sees_only_its_own_requests(signed_in):
    a, b = dli_with_users(name="a", secondaries=0), dli_with_users(name="b", secondaries=0)
    mine = a_request(a.institution, surname="Gagnon")
    theirs = a_request(b.institution, surname="Gagnon")
    html = (
        signed_in(a.primary)
        .get(flows.url("verifications:queue", "en"), {"q": "Gagnon"})
        .content.decode()
    )
    assert _rows(html) == [mine.application_number]
    assert theirs.application_number not in html
    html = (
        signed_in(a.primary)
        .get(flows.url("verifications:queue", "en"), {"q": theirs.application_number})
        .content.decode()
    )
    assert _rows(html) == []


def test_officers_use_their_own_list_not_the_queue(signed_in):
    from tests.factories import OfficerFactory

    response = signed_in(OfficerFactory()).get(flows.url("verifications:queue", "en"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("lang", "notice", "pages"),
    [
        ("en", "More than 30 requests match: only the first 30 are shown.", "Page 2 of 2"),
        (
            "fr",
            "Plus de 30 demandes correspondent : seules les 30 premières sont affichées.",
            "Page 2 sur 2",
        ),
    ],
)
def test_a_search_with_more_matches_than_the_limit_says_so_and_its_pages_stop_there(
    signed_in, monkeypatch, lang, notice, pages
):
    monkeypatch.setattr("loaportal.verifications.views.SEARCH_COUNT_LIMIT", 30)
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    many_requests(dli.institution, 40)
    url = flows.url("verifications:queue", lang)
    first = client.get(url, {"q": "Surname"}).content.decode()
    assert notice in first and len(_rows(first)) == 25
    second = client.get(url, {"q": "Surname", "page": 2}).content.decode()
    assert notice in second and pages in second and len(_rows(second)) == 5
    assert not set(_rows(first)) & set(_rows(second))
    # The tab itself is counted exactly, and a search within the limit says nothing.
    assert notice not in client.get(url).content.decode()
    assert notice not in client.get(url, {"q": "Surname1"}).content.decode()
