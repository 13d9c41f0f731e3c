"""Record 10,000 decisions through the batch API and print decisions per second.

The whole request path runs in process (Django's WSGI handler with every middleware: token
check, rate limit, JSON parsing, the decision service with its row lock, history entry and
chained audit entry), in batches of 1,000 — the most the API takes in one call. The requests
to decide are written directly beforehand (their creation is not what is measured).

    .venv/bin/python benchmarks/api_batch_decisions.py                       # SQLite (a new file)
    .venv/bin/python benchmarks/api_batch_decisions.py \
        --database-url postgres://postgres@127.0.0.1:5432/loaportal_bench    # an empty database
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="loaportal-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "loaportal.settings",
            "LOAPORTAL_VAR_DIR": str(var),
            "DATABASE_URL": args.database_url or f"sqlite:///{var / 'bench.sqlite3'}",
            "TASKS_BACKEND": "immediate",
            "API_RATE_LIMIT_PER_MINUTE": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from loaportal.accounts.models import User
    from loaportal.api.services import api_token_create
    from loaportal.institutions.models import Institution, Membership
    from loaportal.verifications.letters import letter_pdf
    from loaportal.verifications.models import VerificationRequest
    from loaportal.verifications.services import verification_request_create

    run = secrets.token_hex(3).upper()
    number = f"O{secrets.randbelow(10**11):011d}"
    institution = Institution.objects.create(
        dli_number=number, name_en=f"Bench {run}", name_fr=f"Banc {run}", province="ON"
    )
    primary = User.objects.create_user(
        f"bench-{run.lower()}@college.example", None, surname="Bench", phone="+16135550123"
    )
    Membership.objects.create(user=primary, institution=institution, role="primary")
    model = verification_request_create(
        application_number=f"B{run}000000",
        dli_number=number,
        surname="Tremblay",
        given_names="Marie",
        date_of_birth="2004-05-17",
        document=letter_pdf(title="Benchmark", lines=[]),
        document_name="loa.pdf",
    )
    fields = {
        f.attname: getattr(model, f.attname)
        for f in VerificationRequest._meta.concrete_fields
        if f.attname not in ("id", "application_number")
    }
    numbers = [f"B{run}{index + 1:06d}" for index in range(args.decisions)]
    VerificationRequest.objects.bulk_create(
        [VerificationRequest(application_number=n, **fields) for n in numbers], batch_size=1000
    )
    token = api_token_create(
        institution=institution, name="Benchmark", scope="decide", created_by=primary
    ).value

    client = Client(HTTP_HOST="127.0.0.1")
    recorded = 0
    started = time.perf_counter()
    for start in range(0, len(numbers), args.batch):
        body = {
            "decisions": [
                {"application_number": n, "outcome": "verified_matched"}
                for n in numbers[start : start + args.batch]
            ]
        }
        response = client.post(
            "/api/v1/dli/decisions",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content[:500]
        recorded += response.json()["recorded"]
    elapsed = time.perf_counter() - started
    assert recorded == len(numbers), recorded
    print(
        f"{connection.vendor}: {recorded} decisions in {elapsed:.1f} s = "
        f"{recorded / elapsed:.0f} decisions/s (batches of {args.batch}; "
        f"Python {sys.version.split()[0]}, {platform.machine()}, {os.cpu_count()} CPU)"
    )


if __name__ == "__main__":
    main()
