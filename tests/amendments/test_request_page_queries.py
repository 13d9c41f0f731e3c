"""The request's page reads its extension and correction requests in one query
(``amendment_requests_of``) and stays within 8 queries, whatever their number (issue 14)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loaportal.amendments.selectors import (
    amendment_requests_of,
    correction_requests_of,
    extension_requests_of,
)
from loaportal.verifications.services import verification_decide
from tests import flows
from tests.amendments.helpers import (
    ask_correction,
    ask_extension,
    decide_correction,
    decide_extension,
    decided_request,
    pending_request,
)

# Transaction control is not a query (benchmarks/steps.py counts the same way).
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _fields(amendment) -> dict:
    return {f.attname: getattr(amendment, f.attname) for f in amendment._meta.concrete_fields}


def _with_amendments(dli, officer):
    """A request with two extension requests (one approved, one refused), then decided, with
    a refused and an open correction request."""
    vr = pending_request(dli.institution)
    decide_extension(ask_extension(vr, dli.primary, days=5), officer, days=3, reason="Granted.")
    decide_extension(ask_extension(vr, dli.primary, days=4), officer, approve=False, reason="No.")
    vr.refresh_from_db()
    vr = verification_decide(
        verification_request=vr, outcome="verified_matched", comment="", decided_by=dli.primary
    )
    decide_correction(ask_correction(vr, dli.primary), officer, approve=False, reason="Too late.")
    ask_correction(vr, dli.primary, ground="verification_error", explanation="Wrong letter.")
    return vr


def test_one_query_reads_both_kinds_as_the_two_selectors_do(dli, officer):
    vr = _with_amendments(dli, officer)
    other = _with_amendments(dli, officer)  # not mixed in
    with CaptureQueriesContext(connection) as captured:
        amendments = amendment_requests_of(verification_request=vr)
    assert len(captured) == 1
    assert [_fields(e) for e in amendments.extensions] == [
        _fields(e) for e in extension_requests_of(verification_request=vr)
    ]
    assert [_fields(c) for c in amendments.corrections] == [
        _fields(c) for c in correction_requests_of(verification_request=vr)
    ]
    assert len(amendments.extensions) == 2 and len(amendments.corrections) == 2
    assert amendments.extensions[0].get_status_display() == "Approved"
    assert other.pk not in {e.verification_request_id for e in amendments.extensions}
    empty = amendment_requests_of(verification_request=pending_request(dli.institution))
    assert empty.extensions == [] and empty.corrections == []


def _queries(client, vr) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(flows.url("verifications:request_detail", "en", pk=vr.pk))
    assert response.status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith(TRANSACTION)
    ]


@pytest.mark.parametrize("decided", [False, True])
def test_the_request_page_makes_at_most_8_queries(signed_in, dli, officer, decided):
    client = signed_in(dli.primary)
    client.get(flows.url("home", "en"))  # the first page after signing in writes the session
    if decided:
        bare, busy = decided_request(dli.institution, dli.primary), _with_amendments(dli, officer)
    else:
        bare, busy = pending_request(dli.institution), pending_request(dli.institution)
        ask_extension(busy, dli.primary, days=2)
    without, with_amendments = _queries(client, bare), _queries(client, busy)
    assert len(without) == len(with_amendments) <= 8, with_amendments
    # The session is fresh: the page does not write it (ADR 0020).
    assert not [sql for sql in with_amendments if sql.startswith(("UPDATE", "INSERT"))]
