"""The DLIs' counts of requests by status (ADR 0019): equal to a fresh count after every path
that changes a stored status (each also checked after every test of the areas that change
one, ``tests.status_counts``), rebuilt and filled by the migration from the requests, and
exact when several processes decide requests of one DLI at once (PostgreSQL)."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone, translation

from loaportal.verifications.demo import demo_requests_load
from loaportal.verifications.models import (
    COUNTED_STATUSES,
    VerificationRequest,
    VerificationStatusCounts,
)
from loaportal.verifications.selectors import (
    TABS,
    verification_queue,
    verification_status_counts_counted,
    verification_status_counts_differences,
    verification_status_counts_stored,
    verification_tab_counts,
)
from loaportal.verifications.services import (
    Decision,
    verification_close_overdue,
    verification_decide,
    verification_decide_many,
    verification_status_counts_rebuild,
    verification_status_counts_repair,
)
from tests.factories import dli_with_users
from tests.status_counts import assert_status_counts_exact
from tests.verifications.test_decide_many import copies, make_request

Status = VerificationRequest.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _tabs_counted_fresh(institution, user, now) -> dict[str, int]:
    return {
        tab: verification_queue(institution=institution, tab=tab, user=user, now=now).count()
        for tab in TABS
    }


def _cancel_past_the_services(request, user) -> None:
    """Record ``request`` as cancelled by an UPDATE of its row, without the services (so
    without counting it)."""
    VerificationRequest.objects.filter(pk=request.pk).update(
        status=Status.NOT_VERIFIED_CANCELLED,
        decided_at=timezone.now(),
        decided_by=user,
        decision_comment="Withdrew",
    )


def _assert_tabs(institution, user) -> None:
    now = timezone.now()
    assert verification_tab_counts(
        institution=institution, user=user, now=now
    ) == _tabs_counted_fresh(institution, user, now)


@pytest.mark.django_db
def test_single_and_batched_decisions_and_the_deadline_move_the_counts(time_machine):
    dli = dli_with_users(name="count-college", secondaries=1)
    other = dli_with_users(name="other-college", secondaries=0)
    template = make_request(dli.institution)
    requests = copies(template, 12)
    others = copies(make_request(other.institution), 3)
    assert verification_status_counts_stored() == {}
    verification_decide(
        verification_request=requests[0],
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.primary,
    )
    assert verification_status_counts_stored() == {
        dli.institution.pk: {
            "verified_matched": 1,
            "not_verified_no_match": 0,
            "not_verified_cancelled": 0,
            "no_response": 0,
        }
    }
    # A batch: outcomes mixed, one already decided and one of another DLI refused.
    results = verification_decide_many(
        decisions=[
            Decision(requests[0].pk, Status.NOT_VERIFIED_NO_MATCH, "No record"),
            *(Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[1:4]),
            *(Decision(r.pk, Status.NOT_VERIFIED_NO_MATCH, "No record") for r in requests[4:6]),
            Decision(requests[6].pk, Status.NOT_VERIFIED_CANCELLED, "Withdrew"),
            Decision(others[0].pk, Status.VERIFIED_MATCHED),
        ],
        decided_by=dli.primary,
    )
    assert [r.recorded for r in results] == [False, True, True, True, True, True, True, False]
    assert verification_status_counts_stored()[dli.institution.pk] == {
        "verified_matched": 4,
        "not_verified_no_match": 2,
        "not_verified_cancelled": 1,
        "no_response": 0,
    }
    assert_status_counts_exact()
    _assert_tabs(dli.institution, dli.primary)
    # The other DLI decides one of its own.
    verification_decide(
        verification_request=others[1],
        outcome=Status.NOT_VERIFIED_CANCELLED,
        comment="Withdrew",
        decided_by=other.primary,
    )
    assert_status_counts_exact()
    # The deadline passes: the rest of both DLIs become "no response", recorded once.
    time_machine.move_to(template.due_at + timedelta(minutes=1))
    _assert_tabs(dli.institution, dli.secondaries[0])  # passed, not yet recorded
    assert verification_close_overdue() == 1 + 6 + 1 + 1
    assert verification_close_overdue() == 0
    assert verification_status_counts_stored()[dli.institution.pk]["no_response"] == 6
    assert_status_counts_exact()
    _assert_tabs(dli.institution, dli.primary)
    _assert_tabs(other.institution, other.primary)


@pytest.mark.django_db
def test_the_demo_loader_moves_the_counts():
    dli = dli_with_users(name="demo-college", secondaries=1)
    demo_requests_load(institution=dli.institution)
    assert verification_status_counts_stored()[dli.institution.pk]["verified_matched"] > 0
    assert_status_counts_exact()
    _assert_tabs(dli.institution, dli.primary)


@pytest.mark.django_db
def test_the_rebuild_and_the_migration_count_the_requests_anew():
    dli = dli_with_users(name="rebuild-college", secondaries=0)
    requests = copies(make_request(dli.institution), 5)
    verification_decide_many(
        decisions=[Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[:3]],
        decided_by=dli.primary,
    )
    expected = verification_status_counts_counted()
    # Rows written outside the services (as the benchmark's seed does by COPY).
    _cancel_past_the_services(requests[3], dli.primary)
    assert verification_status_counts_stored() == expected != verification_status_counts_counted()
    assert verification_status_counts_rebuild() == 1
    assert_status_counts_exact()
    fill = importlib.import_module("loaportal.verifications.migrations.0007_status_counts").fill
    VerificationStatusCounts.objects.all().delete()
    fill(None, SimpleNamespace(connection=connection))
    assert_status_counts_exact()
    _assert_tabs(dli.institution, dli.primary)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_simultaneous_decisions_of_one_dli_lose_no_count(round_):
    """Eight threads at once on one DLI: single decisions of different requests, two batches
    that overlap each other and the singles (each request decided once), the deadline job on
    requests already overdue, the repair (``recount_statuses --repair``), which corrects a
    third DLI's counts spoilt beforehand and finds nothing else wrong meanwhile, and the check
    (``recount_statuses``), which never reports another DLI."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    dli = dli_with_users(name="busy-college", secondaries=4)
    other = dli_with_users(name="quiet-college", secondaries=0)
    template = make_request(dli.institution)
    requests = copies(template, 120)
    overdue = copies(template, 10)
    VerificationRequest.objects.filter(pk__in=[r.pk for r in overdue]).update(
        requested_at=timezone.now() - timedelta(days=40),
        due_at=timezone.now() - timedelta(days=20),
    )
    other_requests = copies(make_request(other.institution), 20)
    spoilt = dli_with_users(name="spoilt-college", secondaries=0)
    verification_decide_many(
        decisions=[
            Decision(r.pk, Status.VERIFIED_MATCHED)
            for r in copies(make_request(spoilt.institution), 4)
        ],
        decided_by=spoilt.primary,
    )
    VerificationStatusCounts.objects.filter(institution=spoilt.institution).update(
        verified_matched=1, no_response=2
    )
    repairs: list[dict] = []
    checks: list[set[int]] = []
    a, b, c, d = dli.secondaries
    plans = [
        (dli.primary, "batch", [Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[:70]]),
        (
            a,
            "batch",
            [Decision(r.pk, Status.NOT_VERIFIED_NO_MATCH, "No") for r in requests[40:110][::-1]],
        ),
        (b, "single", [Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[60:120:3]]),
        (
            c,
            "single",
            [
                Decision(r.pk, Status.NOT_VERIFIED_CANCELLED, "Gone")
                for i, r in enumerate(requests[60:120])
                if i % 3
            ],
        ),
        (other.primary, "batch", [Decision(r.pk, Status.VERIFIED_MATCHED) for r in other_requests]),
        (d, "overdue", []),
        (None, "repair", []),
        (None, "check", []),
    ]
    start = threading.Barrier(len(plans), timeout=20)
    crashes: list[BaseException] = []

    def work(user, kind, decisions):
        try:
            with translation.override("en"):
                start.wait()
                if kind == "batch":
                    verification_decide_many(decisions=decisions, decided_by=user)
                elif kind == "overdue":
                    verification_close_overdue()
                elif kind == "repair":
                    for _ in range(4):
                        repairs.append(verification_status_counts_repair())
                elif kind == "check":  # `recount_statuses` without --repair
                    for _ in range(10):
                        checks.append(set(verification_status_counts_differences()))
                else:
                    for decision in decisions:
                        verification_decide_many(decisions=[decision], decided_by=user)
        except BaseException as exc:  # noqa: BLE001  # reported below
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=plan) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not crashes, crashes
    assert not any(thread.is_alive() for thread in threads)
    decided = VerificationRequest.objects.filter(
        institution=dli.institution, status__in=VerificationRequest.OUTCOMES
    ).count()
    assert decided == 120  # every request of the DLI decided once, by someone
    zeros = dict.fromkeys(COUNTED_STATUSES, 0)
    assert repairs == [
        {
            spoilt.institution.pk: (
                {**zeros, "verified_matched": 1, "no_response": 2},
                {**zeros, "verified_matched": 4},
            )
        },
        {},
        {},
        {},
    ]
    # Read from one snapshot, a check never takes a decision in flight for a wrong count.
    assert len(checks) == 10
    assert all(check <= {spoilt.institution.pk} for check in checks), checks
    assert_status_counts_exact()
    assert verification_status_counts_stored()[dli.institution.pk]["no_response"] == 10
    assert sum(verification_status_counts_stored()[other.institution.pk].values()) == 20
    _assert_tabs(dli.institution, dli.primary)


@pytest.mark.django_db
def test_recount_statuses_lists_wrong_counts_and_repairs_them_with_an_audit_entry():
    from django.core.management import CommandError, call_command

    from loaportal.audit.models import AuditEvent

    dli = dli_with_users(name="recount-college", secondaries=0)
    requests = copies(make_request(dli.institution), 3)
    verification_decide_many(
        decisions=[Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[:2]],
        decided_by=dli.primary,
    )
    out = StringIO()
    call_command("recount_statuses", stdout=out)
    assert out.getvalue() == "The counts of requests by status are exact.\n"

    # A row changed without the services (as a process on code older than the counts would).
    _cancel_past_the_services(requests[2], dli.primary)
    out = StringIO()
    with pytest.raises(CommandError, match="1 DLI\\(s\\) with wrong counts: run with --repair"):
        call_command("recount_statuses", stdout=out)
    assert out.getvalue() == f"DLI {dli.institution.pk}: not_verified_cancelled 0 -> 1\n"
    assert verification_status_counts_stored()[dli.institution.pk]["not_verified_cancelled"] == 0
    assert not AuditEvent.objects.filter(event_type="verification_counts_corrected").exists()

    out = StringIO()
    call_command("recount_statuses", "--repair", stdout=out)
    assert out.getvalue().splitlines() == [
        f"DLI {dli.institution.pk}: not_verified_cancelled 0 -> 1",
        "1 DLI(s) corrected.",
    ]
    assert_status_counts_exact()
    (entry,) = AuditEvent.objects.filter(event_type="verification_counts_corrected")
    assert entry.institution == dli.institution
    assert entry.actor is None
    assert entry.details["stored"]["not_verified_cancelled"] == 0
    assert entry.details["counted"] == {**entry.details["stored"], "not_verified_cancelled": 1}
    assert verification_status_counts_differences() == {}
