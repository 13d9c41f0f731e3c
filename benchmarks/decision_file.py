"""Time a 10,000-row decision file: the check (the preview), then the recording.

Creates a throwaway database (Django's test database: a file for SQLite, ``test_<name>`` on
PostgreSQL), a DLI with one member, its pending requests and as many of another DLI's, then
uploads a CSV file deciding every one of them and runs the check and the recording as the
worker would (each row through ``verification_decide``). Prints the times; the database is
dropped at the end.

    .venv/bin/python benchmarks/decision_file.py [--rows 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loaportal .venv/bin/python \\
        benchmarks/decision_file.py
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loaportal.settings")
os.environ.setdefault("LOAPORTAL_VAR_DIR", tempfile.mkdtemp(prefix="loaportal-bench-"))
# Tasks are queued, not run: the benchmark runs the check and the recording itself, timed.
os.environ["TASKS_BACKEND"] = "database"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file, as in production (Django's default test database is in memory).
        connection.settings_dict["TEST"]["NAME"] = os.path.join(
            os.environ["LOAPORTAL_VAR_DIR"], "bench.sqlite3"
        )
    settings.DECISION_FILE_MAX_ROWS = max(settings.DECISION_FILE_MAX_ROWS, args.rows)
    settings.DECISION_FILE_MAX_BYTES = max(settings.DECISION_FILE_MAX_BYTES, args.rows * 200)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(rows: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from loaportal.accounts.models import User
    from loaportal.decision_files.models import DecisionFile
    from loaportal.decision_files.services import (
        decision_file_check,
        decision_file_confirm,
        decision_file_record,
        decision_file_upload,
    )
    from loaportal.institutions.models import Institution, Membership
    from loaportal.verifications.deadlines import deadline_for
    from loaportal.verifications.models import VerificationRequest, name_search_key

    now = timezone.now()
    ours, theirs = (
        Institution.objects.create(
            dli_number=f"O1939089817{index}",
            name_en=f"College {index}",
            name_fr=f"Collège {index}",
            province="ON",
        )
        for index in (1, 2)
    )
    user = User.objects.create_user(
        "bench@college.example", None, surname="Bench", given_names="B", phone="+16135550123"
    )
    Membership.objects.create(user=user, institution=ours, role=Membership.Role.PRIMARY)
    requested_at = now - timedelta(days=1)
    for institution, prefix in ((ours, "S1"), (theirs, "S2")):
        VerificationRequest.objects.bulk_create(
            [
                VerificationRequest(
                    application_number=f"{prefix}{index:08d}",
                    institution=institution,
                    surname=f"Surname{index}",
                    given_names="Given",
                    name_key=name_search_key(f"Surname{index} Given"),
                    date_of_birth=now.date().replace(year=2000),
                    requested_at=requested_at,
                    due_at=deadline_for(requested_at),
                    document="none.pdf",
                    document_name="none.pdf",
                    document_content_type="application/pdf",
                    document_size=1,
                )
                for index in range(rows)
            ],
            batch_size=2000,
        )
    outcomes = [
        ("verified_matched", ""),
        ("Non vérifiée – Aucune correspondance", "Not issued by us"),
        ("not_verified_cancelled", "Withdrawn"),
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["application_number", "outcome", "comment"])
    for index in range(rows):
        outcome, comment = outcomes[index % 3]
        writer.writerow([f"S1{index:08d}", outcome, comment])
    content = ("\ufeff" + buffer.getvalue()).encode()

    decision_file = decision_file_upload(user=user, file_name="bench.csv", content=content)
    start = time.perf_counter()
    decision_file = decision_file_check(decision_file_id=decision_file.pk)
    checked = time.perf_counter() - start
    assert decision_file.status == DecisionFile.Status.CHECKED, decision_file.error_code
    assert decision_file.ready_rows == rows, (decision_file.ready_rows, decision_file.error_rows)
    decision_file_confirm(decision_file=decision_file, user=user)
    start = time.perf_counter()
    decision_file = decision_file_record(decision_file_id=decision_file.pk)
    recorded = time.perf_counter() - start
    assert decision_file.recorded_rows == rows, decision_file.refused_rows
    assert VerificationRequest.objects.filter(institution=theirs, status="pending").count() == rows
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"rows: {rows:,} ({len(content) / 1024:.0f} KiB CSV)")
    print(f"check (preview): {checked:7.2f} s  ({rows / checked:,.0f} rows/s)")
    print(f"record:          {recorded:7.2f} s  ({rows / recorded:,.0f} rows/s)")


if __name__ == "__main__":
    main()
