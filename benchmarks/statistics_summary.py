"""Time the statistics pages over many requests on PostgreSQL.

Seeds N verification requests (COPY, in one transaction) spread over ~1,500 DLIs and the last
24 months, with realistic outcomes (about 93 % verified, 2 % no match, 1 % cancelled, 3 % no
response, the last ten days' requests mostly pending), runs VACUUM ANALYZE, then times each page
as an officer and as a member of the largest DLI (the whole page: the view, every query, the
template) and prints the figures. Re-running with the same N reuses the rows already there.

Use a database of its own, never the portal's:

    createdb -h 127.0.0.1 -U postgres loaportal_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loaportal_bench \\
        .venv/bin/python benchmarks/statistics_summary.py --requests 1000000 [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loaportal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from tests.flows import sign_in_quickly  # noqa: E402

from loaportal.accounts.models import User  # noqa: E402
from loaportal.institutions.models import Institution, Membership  # noqa: E402
from loaportal.statistics.services import (  # noqa: E402
    statistics_refresh_all,
    statistics_refresh_recent,
)
from loaportal.verifications.deadlines import deadline_for  # noqa: E402
from loaportal.verifications.models import VerificationRequest  # noqa: E402

DLIS = 1500
PROVINCES = [code for code, _ in Institution.Province.choices]
COLUMNS = (
    "application_number",
    "institution_id",
    "surname",
    "given_names",
    "name_key",
    "date_of_birth",
    "program",
    "student_id",
    "loa_number",
    "campus",
    "requested_at",
    "due_at",
    "status",
    "document",
    "document_name",
    "document_content_type",
    "document_size",
    "decided_at",
    "decided_by_id",
    "decision_comment",
    "no_response_recorded_at",
    "created_at",
)


def _user(email: str, **fields: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, **fields)
    return user


def seed(total: int) -> tuple[User, User]:
    """The DLIs, an officer, a member of the largest DLI, and ``total`` requests."""
    officer = _user(
        "bench-officer@ircc.example", is_staff=True, surname="Bench", phone="+16135550123"
    )
    institutions = list(Institution.objects.filter(dli_number__startswith="O9").order_by("pk"))
    if len(institutions) < DLIS:
        Institution.objects.bulk_create(
            Institution(
                dli_number=f"O9{index:010d}",
                name_en=f"Benchmark College {index}",
                name_fr=f"Collège de banc d'essai {index}",
                province=PROVINCES[index % len(PROVINCES)],
            )
            for index in range(len(institutions), DLIS)
        )
        institutions = list(Institution.objects.filter(dli_number__startswith="O9").order_by("pk"))
    member = _user("bench-member@college.example", surname="Bench", phone="+16135550123")
    if not Membership.objects.filter(user=member).exists():
        Membership.objects.create(
            user=member, institution=institutions[0], role=Membership.Role.PRIMARY
        )
    have = VerificationRequest.objects.filter(application_number__startswith="B").count()
    if have >= total:
        return officer, member
    rng = random.Random(2026)
    # A few large DLIs, many small ones (Zipf-like weights); the first is the largest.
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(institutions))]
    now = datetime.now(tz=UTC)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = f"COPY verifications_verificationrequest ({', '.join(COLUMNS)}) FROM STDIN"  # noqa: S608
        with cursor.cursor.copy(sql) as copy:
            picks = rng.choices(institutions, weights=weights, k=total - have)
            for index, institution in enumerate(picks, start=have):
                requested_at = now - timedelta(seconds=rng.randint(0, 730 * 86400))
                due_at = deadline_for(requested_at)
                roll = rng.random()
                status, decided_at, recorded = "pending", None, None
                if due_at < now or roll < 0.4:
                    if roll < 0.93:
                        status = "verified_matched"
                    elif roll < 0.95:
                        status = "not_verified_no_match"
                    elif roll < 0.96:
                        status = "not_verified_cancelled"
                    elif due_at < now and roll < 0.985:
                        status, recorded = "no_response", due_at
                    # else: pending past its deadline (close_overdue not run yet): no response
                    if status not in ("pending", "no_response"):
                        limit = min(due_at, now) - requested_at
                        decided_at = requested_at + limit * rng.random() ** 2
                decided = decided_at is not None
                copy.write_row(
                    (
                        f"B{index:09d}",
                        institution.pk,
                        "Benchmark",
                        "Student",
                        "BENCHMARK STUDENT",
                        date(2000, 1, 1) + timedelta(days=index % 3000),
                        "",
                        f"ID{index}",
                        "",
                        "",
                        requested_at,
                        due_at,
                        status,
                        "none.pdf",
                        "none.pdf",
                        "application/pdf",
                        1,
                        decided_at,
                        officer.pk if decided else None,
                        "Benchmark." if status.startswith("not_verified") else "",
                        recorded,
                        requested_at,
                    )
                )
                if index and index % 100_000 == 0:
                    print(f"  {index:,} rows…", file=sys.stderr)
    print(f"seeded {total - have:,} requests in {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE verifications_verificationrequest")
    return officer, member


def _median(values: list[float]) -> float:
    # Not the statistics module: this file's own name shadows it when run as a script.
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def time_page(client: Client, url: str, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        begin = time.perf_counter()
        response = client.get(url, headers={"host": "127.0.0.1"})
        timings.append(time.perf_counter() - begin)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (see the docstring).")
    call_command("migrate", verbosity=0)
    officer, member = seed(args.requests)
    total = VerificationRequest.objects.count()
    print(f"{total:,} requests in {Institution.objects.count():,} DLIs")
    # What the worker does: every month once a day, the recent months every few minutes.
    for label, refresh in (
        ("every month (daily job)", statistics_refresh_all),
        ("recent months (every 5 minutes)", statistics_refresh_recent),
    ):
        begin = time.perf_counter()
        rows = refresh()
        print(f"summary, {label}: {rows:,} rows in {time.perf_counter() - begin:.1f} s")
    officer_client, member_client = Client(), Client()
    sign_in_quickly(officer_client, officer)
    sign_in_quickly(member_client, member)
    largest = member.membership.institution
    largest_count = VerificationRequest.objects.filter(institution=largest).count()
    this_month = datetime.now(tz=UTC).strftime("%Y-%m")
    two_years = (datetime.now(tz=UTC) - timedelta(days=730)).strftime("%Y-%m")
    pages = [
        ("officer, last 12 months (default)", officer_client, "/en/officer/statistics/"),
        (
            "officer, all 24 months",
            officer_client,
            f"/en/officer/statistics/?month_from={two_years}&month_to={this_month}",
        ),
        (
            "officer, one province, 24 months",
            officer_client,
            f"/en/officer/statistics/?province=ON&month_from={two_years}",
        ),
        (
            f"officer, one DLI ({largest_count:,} requests)",
            officer_client,
            f"/en/officer/statistics/?dli={largest.dli_number}&month_from={two_years}",
        ),
        (
            "officer, CSV of every DLI (with medians)",
            officer_client,
            "/en/officer/statistics/?download=dlis",
        ),
        (
            "member of that DLI, 24 months",
            member_client,
            f"/en/statistics/?month_from={two_years}",
        ),
    ]
    print(f"{'page':45} {'median ms':>10} {'max ms':>8}")
    for label, client, url in pages:
        timings = time_page(client, url, args.rounds)
        print(f"{label:45} {_median(timings) * 1000:10.0f} {max(timings) * 1000:8.0f}")


if __name__ == "__main__":
    main()
