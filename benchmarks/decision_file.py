"""Time a 10,000-row decision file: the check (the preview), then the recording.

Creates a database of its own (SQLite: a new file; PostgreSQL: the database named by
``--database-url``, which must not exist yet, created and dropped again), with production
settings (``LOAPORTAL_ENVIRONMENT=production``, as the worker runs), a DLI with one member,
its pending requests and as many of another DLI's, then uploads a CSV file deciding every one
of them and runs the check (reading the file, validating every row, writing the preview) and
the recording (``verification_decide_many``, a thousand rows per transaction) as the worker
would. Checks that every request of the DLI was decided once and none of the other's, runs
``verify_audit``, and prints the times.

    .venv/bin/python benchmarks/decision_file.py [--rows 10000]                  # SQLite
    .venv/bin/python benchmarks/decision_file.py \
        --database-url postgres://postgres@127.0.0.1:5432/loaportal_bench_file     # PostgreSQL

Issue 14's target: a 10,000-row file checked and recorded in at most 10 seconds (ADR 0018).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This folder holds a ``statistics.py`` that would hide the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="postgres://…/NEW_DATABASE")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="loaportal-bench-file-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "loaportal.settings",
            "LOAPORTAL_ENVIRONMENT": "production",
            "LOAPORTAL_VAR_DIR": str(var),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
            "EMAIL_URL": "smtp://127.0.0.1:1",  # nothing is emailed here
            "DATABASE_URL": args.database_url or f"sqlite:///{var / 'bench.sqlite3'}",
            # Tasks are queued, not run: the benchmark runs the check and the recording itself.
            "TASKS_BACKEND": "database",
            "DECISION_FILE_MAX_ROWS": str(max(20_000, args.rows)),
            "DECISION_FILE_MAX_BYTES": str(max(5_242_880, args.rows * 200)),
        }
    )
    postgres = args.database_url.startswith("postgres")
    if postgres:
        _database("create", args.database_url)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        run(args.rows)
    finally:
        from django.db import connections

        connections.close_all()
        if postgres:
            _database("drop", args.database_url)
        shutil.rmtree(var, ignore_errors=True)


class _Cpu:
    """CPU seconds this process and its PostgreSQL backend (same machine) used since the
    last lap: what the work costs whatever else the machine is doing."""

    def __init__(self) -> None:
        from django.db import connection

        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend = cursor.fetchone()[0]
        self.last = self._now()

    def _now(self) -> tuple[float, float]:
        database = 0.0
        if self.backend is not None:
            fields = Path(f"/proc/{self.backend}/stat").read_text().rsplit(")", 1)[1].split()
            database = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return time.process_time(), database

    def lap(self) -> tuple[float, float]:
        now = self._now()
        spent = (now[0] - self.last[0], now[1] - self.last[1])
        self.last = now
        return spent


def _database(action: str, url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')  # fails if it exists: never reuse one
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(rows: int) -> None:
    from django.core.management import call_command
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
    from loaportal.verifications.models import (
        VerificationEvent,
        VerificationRequest,
        name_search_key,
    )

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
    load_before = os.getloadavg()
    cpu = _Cpu()
    start = time.perf_counter()
    decision_file = decision_file_check(decision_file_id=decision_file.pk)
    checked = time.perf_counter() - start
    check_cpu = cpu.lap()
    assert decision_file.status == DecisionFile.Status.CHECKED, decision_file.error_code
    assert decision_file.ready_rows == rows, (decision_file.ready_rows, decision_file.error_rows)
    decision_file_confirm(decision_file=decision_file, user=user)
    cpu.lap()
    start = time.perf_counter()
    decision_file = decision_file_record(decision_file_id=decision_file.pk)
    recorded = time.perf_counter() - start
    record_cpu = cpu.lap()
    load_after = os.getloadavg()
    assert decision_file.recorded_rows == rows, decision_file.refused_rows
    assert VerificationRequest.objects.filter(institution=ours, status="pending").count() == 0
    assert VerificationRequest.objects.filter(institution=theirs, status="pending").count() == rows
    assert VerificationEvent.objects.filter(kind="decided").count() == rows
    call_command("verify_audit")
    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0].split()[0]
    print(f"\ndatabase: {database}, production settings")
    print(f"rows: {rows:,} ({len(content) / 1024:.0f} KiB CSV)")
    print(f"check (preview):  {checked:7.2f} s  ({rows / checked:,.0f} rows/s)")
    print(f"record:           {recorded:7.2f} s  ({rows / recorded:,.0f} rows/s)")
    print(f"check and record: {checked + recorded:7.2f} s  (target: 10 s for 10,000 rows)")
    for step, (python, database) in (("check", check_cpu), ("record", record_cpu)):
        print(
            f"CPU for the {step}: Python {python:.2f} s"
            + (f", PostgreSQL backend {database:.2f} s" if database else "")
        )
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"({os.cpu_count()} CPU, {platform.machine()}, Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
