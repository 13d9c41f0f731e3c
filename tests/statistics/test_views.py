"""The statistics pages: both languages, charts and tables, CSV downloads, filters, and who
sees what (officers everything, a DLI's members their own DLI, nobody else anything)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import time_machine

from loaportal.statistics.services import statistics_refresh
from tests import flows
from tests.factories import MembershipFactory, OfficerFactory
from tests.statistics import dataset
from tests.statistics.dataset import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(settings):
    for name, value in dataset.AT_RISK_SETTINGS.items():
        setattr(settings, name, value)
    with time_machine.travel(NOW, tick=False):
        built = dataset.build()
        statistics_refresh()
        yield built


def _charts(html: str) -> dict[str, dict]:
    found = re.findall(
        r'<script id="(statistics-chart-[\w-]+)" type="application/json">(.*?)</script>', html
    )
    return {name: json.loads(text) for name, text in found}


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


ALL_YEAR = "?month_from=2026-01&month_to=2026-06"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_officers_page_has_each_chart_with_its_table(data, signed_in, lang):
    client = signed_in(OfficerFactory())
    response = client.get(flows.url("statistics:officer", lang) + ALL_YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    heading = "Statistiques" if lang == "fr" else "Statistics"
    assert f"<title>{heading} –" in html
    charts = _charts(html)
    assert set(charts) == {
        f"statistics-chart-{slug}"
        for slug in ("outcomes", "months", "decision-times", "provinces", "dlis", "amendments")
    }
    assert charts["statistics-chart-outcomes"]["datasets"][0]["data"] == [6, 2, 1, 3, 2]
    months = charts["statistics-chart-months"]
    assert months["labels"][2:] == (
        ["mars 2026", "avril 2026", "mai 2026", "juin 2026"]
        if lang == "fr"
        else ["March 2026", "April 2026", "May 2026", "June 2026"]
    )
    assert [d["data"] for d in months["datasets"]][0] == [0, 0, 4, 1, 1, 0]
    times = charts["statistics-chart-decision-times"]["datasets"]
    assert times[0]["data"][2:] == [2.0, 6.5, 3.5, None]  # median, days
    # Each chart has its table: caption, column and row headers.
    # + DLIs at risk (a table, no chart)
    assert html.count("<caption>") == len(charts) + 1
    assert html.count('<th scope="row">') >= 5 + 6 + 6 + 3 + 3 + 2
    assert 'role="img"' in html and "chart.umd.min.js" in html and "statistics.js" in html
    # Inline scripts: only JSON data (the CSP allows no inline script).
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", html) == []
    # Rates as the language writes them.
    assert ("16,7\u00a0%" if lang == "fr" else "16.7%") in html


def test_officers_csv_downloads(data, signed_in):
    client = signed_in(OfficerFactory())
    url = flows.url("statistics:officer", "fr") + ALL_YEAR
    response = client.get(url + "&download=outcomes")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statistics-outcomes.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Résultat", "Nombre de demandes", "Part des demandes closes (%)"]
    assert rows[1] == ["Vérifiée – Correspondance", "6", "50.0"]
    assert rows[5] == ["En attente", "2", ""]
    months = _csv(client.get(url + "&download=months"))
    assert months[3][:2] == ["2026-03", "6"]
    dlis = _csv(client.get(url + "&download=dlis"))
    assert [row[1] for row in dlis[1:]] == [
        data.a.institution.dli_number,
        data.b.institution.dli_number,
        data.c.dli_number,
    ]
    assert dlis[1][-1] == "3.00"  # DLI A's median time to decide, days
    risk = _csv(client.get(url + "&download=at-risk"))
    assert [row[1] for row in risk[1:]] == [
        data.a.institution.dli_number,
        data.b.institution.dli_number,
    ]
    assert client.get(url + "&download=nothing").status_code == 404


def test_officers_filters(data, signed_in):
    client = signed_in(OfficerFactory())
    base = flows.url("statistics:officer", "en")

    def outcome_counts(query):
        response = client.get(base + query)
        return _charts(response.content.decode())["statistics-chart-outcomes"]["datasets"][0][
            "data"
        ]

    assert outcome_counts("?month_from=2026-04&month_to=2026-05") == [2, 1, 1, 2, 0]
    assert outcome_counts(ALL_YEAR + "&province=QC") == [3, 0, 0, 1, 0]
    assert outcome_counts(ALL_YEAR + f"&dli={data.c.dli_number}") == [0, 1, 0, 0, 0]
    response = client.get(base + "?month_from=2026-13&dli=O00000000000")
    html = response.content.decode()
    assert "Enter a month as YYYY-MM" in html and "No DLI has this number." in html
    assert "<caption>" not in html
    response = client.get(base + "?month_from=2026-05&month_to=2026-04")
    assert "The first month must not be after the last month." in response.content.decode()


def test_default_period_is_the_last_twelve_months(data, signed_in):
    client = signed_in(OfficerFactory())
    html = client.get(flows.url("statistics:officer", "en")).content.decode()
    assert 'value="2025-07"' in html and 'value="2026-06"' in html
    months = _charts(html)["statistics-chart-months"]["labels"]
    assert months[0] == "July 2025" and months[-1] == "June 2026" and len(months) == 12


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("who", ["primary", "secondary"])
def test_a_member_sees_their_own_dli_over_time(data, signed_in, lang, who):
    user = data.a.primary if who == "primary" else data.a.secondaries[0]
    client = signed_in(user)
    response = client.get(flows.url("statistics:dli", lang) + ALL_YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    charts = _charts(html)
    assert set(charts) == {
        "statistics-chart-outcomes",
        "statistics-chart-months",
        "statistics-chart-decision-times",
    }
    assert charts["statistics-chart-outcomes"]["datasets"][0]["data"] == [3, 1, 1, 2, 2]
    month_sets = {d["key"]: d["data"][2:] for d in charts["statistics-chart-months"]["datasets"]}
    assert month_sets == {
        "verified": [2, 1, 0, 0],
        "no_match": [1, 0, 0, 0],
        "cancelled": [0, 1, 0, 0],
        "no_response": [1, 1, 0, 0],
        "pending": [0, 0, 0, 2],
    }
    medians = charts["statistics-chart-decision-times"]["datasets"][0]["data"][2:]
    assert medians == [2.0, 6.5, None, None]  # (1, 2, 3 days), (4, 9 days)
    assert data.b.institution.dli_number not in html
    assert data.a.institution.dli_number in html
    # The DLI's figures as CSV: only its own.
    rows = _csv(client.get(flows.url("statistics:dli", lang) + ALL_YEAR + "&download=outcomes"))
    assert [row[1] for row in rows[1:]] == ["3", "1", "1", "2", "2"]


def test_member_filters_cannot_reach_another_dli(data, signed_in):
    client = signed_in(data.b.primary)
    url = flows.url("statistics:dli", "en") + ALL_YEAR
    # Officers' filters are not the member's: ignored.
    response = client.get(url + f"&dli={data.a.institution.dli_number}&province=ON")
    data_sets = _charts(response.content.decode())["statistics-chart-outcomes"]["datasets"]
    assert data_sets[0]["data"] == [3, 0, 0, 1, 0]


def test_who_may_open_which_page(data, signed_in):
    from django.utils import timezone

    from loaportal.institutions.models import Membership

    officer = signed_in(OfficerFactory())
    member = signed_in(data.a.secondaries[0])
    assert officer.get(flows.url("statistics:officer", "en")).status_code == 200
    assert officer.get(flows.url("statistics:dli", "en")).status_code == 403
    assert member.get(flows.url("statistics:officer", "en")).status_code == 403
    assert member.get(flows.url("statistics:officer", "en") + "?download=dlis").status_code == 403
    former = MembershipFactory(institution=data.a.institution)
    Membership.objects.filter(pk=former.pk).update(
        ended_at=timezone.now(), end_reason=Membership.EndReason.REMOVED
    )
    nobody = signed_in(former.user)
    for name in ("statistics:officer", "statistics:dli"):
        response = nobody.get(flows.url(name, "en") + "?download=outcomes")
        assert response.status_code == 403


def test_home_pages_link_to_statistics(data, signed_in):
    officer = signed_in(OfficerFactory())
    assert (
        flows.url("statistics:officer", "fr")
        in officer.get(flows.url("home", "fr")).content.decode()
    )
    member = signed_in(data.a.primary)
    assert flows.url("statistics:dli", "en") in member.get(flows.url("home", "en")).content.decode()


def test_the_pages_run_a_bounded_number_of_queries(data, signed_in, django_assert_max_num_queries):
    client = signed_in(OfficerFactory())
    url = flows.url("statistics:officer", "en") + ALL_YEAR
    client.get(url)
    with django_assert_max_num_queries(25):
        client.get(url)
    from tests.verifications.ui_support import many_requests

    for _ in range(5):
        many_requests(MembershipFactory().institution, 3, now=NOW)
    statistics_refresh()
    with django_assert_max_num_queries(25):
        client.get(url)
