"""The requests table's rows (``request_rows``): every value escaped, each link the request's
own address, the time left only for pending requests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.templatetags.verifications import request_rows

ZONE = ZoneInfo("America/Toronto")
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _request(pk: int, **fields) -> VerificationRequest:
    values = {
        "application_number": f"S{pk:09d}",
        "surname": "Tremblay",
        "given_names": "Marie-Ève",
        "date_of_birth": dt.date(2004, 5, 17),
        "student_id": "",
        "status": "pending",
        "due_at": NOW + dt.timedelta(days=3, hours=2),
    }
    return VerificationRequest(pk=pk, **values | fields)


def test_rows_escape_and_link_each_request():
    with translation.override("fr"):
        html = request_rows(
            [_request(7, surname="<b>O'Brien</b>"), _request(1234, status="verified_matched")],
            zone=ZONE,
            now=NOW,
            flag_unassigned=True,
        )
        assert f'href="{reverse("verifications:request_detail", kwargs={"pk": 7})}"' in html
        assert f'href="{reverse("verifications:request_detail", kwargs={"pk": 1234})}"' in html
    assert "&lt;b&gt;O&#x27;Brien&lt;/b&gt;, Marie-Ève" in html and "<b>" not in html
    assert "2004-05-17" in html and html.count("<strong>Non attribuée</strong>") == 2
    assert "3 jours et 2 heures restants" in html  # pending only
    assert html.count('data-label="Temps restant">–</td>') == 1
    assert 'data-label="Numéro d\'étudiant">–</td>' in html  # no student ID
