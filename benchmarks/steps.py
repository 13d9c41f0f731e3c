"""The benchmark's steps that run inside Django, on one database (``run.py _<step> …``).

Each prints one JSON line last, which ``run.py`` reads. SQL queries per request are counted
here, in process, through the whole middleware stack (Django's test client with the production
settings of the run, on the same database and Redis): the count is a property of the code and
the data, not of the load, so it does not need the server.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import secrets
import sys
import time
from collections import deque

import seed
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

FORWARDED = {"HTTP_X_FORWARDED_FOR": "10.250.0.1"}


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _origin() -> str:
    return "https://" + os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def _client(user) -> tuple[Client, str]:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # The first page after signing in writes the session (when the sign-in happened, ADR
    # 0020): the pages counted and loaded after it are the steady state.
    client.get("/en/home/", secure=True, **FORWARDED)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


# Transaction control is not a query (it is a round trip, listed apart as "statements").
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _count(client: Client, method: str, url: str, **kwargs) -> dict:
    # Django keeps the last 9,000 queries only; a 1,000-item batch makes more.
    connection.queries_log = deque(maxlen=1_000_000)
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, secure=True, **FORWARDED, **kwargs)
    statements = [query["sql"] for query in captured.captured_queries]
    queries = [sql for sql in statements if not sql.lstrip().upper().startswith(TRANSACTION)]
    return {"queries": len(queries), "statements": len(statements), "status": response.status_code}


def seed_step(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(seed.seed(requests=args.requests, log=_log)))


def prepare(argv: list[str]) -> None:  # noqa: ARG001
    from loaportal.accounts.models import User
    from loaportal.api.services import api_token_create
    from loaportal.institutions.models import Institution, Membership
    from loaportal.verifications.models import VerificationRequest

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT institution_id FROM verifications_verificationrequest "
            "GROUP BY institution_id ORDER BY count(*) DESC LIMIT 2"
        )
        largest_id, second_id = (row[0] for row in cursor.fetchall())
    largest = Institution.objects.get(pk=largest_id)
    primary = User.objects.get(membership__institution=largest, membership__role="primary")
    # The seed assigns nobody: here the largest DLI's requests are shared out among its
    # secondary users in turn, one in five left unassigned, as a team that assigns its work
    # would leave them, so that the assignee filter has something to show.
    secondaries = list(
        Membership.objects.filter(institution=largest, role="secondary")
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE verifications_verificationrequest SET assigned_to_id = CASE "
            "WHEN id %% 5 = 0 THEN NULL ELSE (%s::bigint[])[1 + id %% %s] END "
            "WHERE institution_id = %s",
            [secondaries, len(secondaries), largest_id],
        )
        # As autovacuum would soon: index-only scans need the visibility map.
        cursor.execute("VACUUM ANALYZE verifications_verificationrequest")
    officer = User.objects.filter(is_staff=True).order_by("pk").first()
    member_client, member_session = _client(primary)
    officer_client, officer_session = _client(officer)
    cookie = settings.SESSION_COOKIE_NAME
    decided = VerificationRequest.objects.filter(
        institution=largest, status__in=VerificationRequest.OUTCOMES
    )
    last_page = max(1, math.ceil(decided.count() / 25))
    one = decided.order_by("pk").first()
    assert one is not None
    assignee = (
        Membership.objects.filter(institution=largest, role="secondary").order_by("pk").first()
    )
    member_pages = {
        "queue": ("/en/verifications/", "queue: default tab"),
        "queue_search": ("/en/verifications/?tab=decided&q=TREMBLAY", "queue: name search"),
        "queue_filter": (
            f"/en/verifications/?tab=decided&assignee={assignee.user_id if assignee else ''}",
            "queue: assignee filter",
        ),
        "queue_far_page": (
            f"/en/verifications/?tab=decided&page={last_page}",
            "queue: far page (the last)",
        ),
        "request_page": (f"/en/verifications/{one.pk}/", "request page"),
        "dli_statistics": ("/en/statistics/", "statistics: DLI"),
    }
    officer_pages = {
        "officer_list": (
            "/en/officer/verifications/?status=verified_matched"
            "&requested_from=2025-01-01&requested_to=2025-03-31",
            "officers' list: status and dates",
        ),
        "officer_list_dli": (
            f"/en/officer/verifications/?dli={largest.dli_number}&status=no_response",
            "officers' list: DLI and status",
        ),
        "officer_statistics": ("/en/officer/statistics/", "statistics: officers"),
    }
    pages, queries = {}, {}
    for pages_of, client, session in (
        (member_pages, member_client, member_session),
        (officer_pages, officer_client, officer_session),
    ):
        for key, (url, name) in pages_of.items():
            pages[key] = {"url": url, "name": name, "headers": {"Cookie": f"{cookie}={session}"}}
            queries[name] = _count(client, "get", url)

    token = api_token_create(
        institution=largest, name="Benchmark", scope="read", created_by=primary
    ).value
    api_url = "/api/v1/dli/verification-requests?limit=100"
    pages["api_list"] = {
        "url": api_url,
        "name": "API list (100 requests)",
        "headers": {"Authorization": f"Bearer {token}"},
    }
    queries["API list (100 requests)"] = _count(
        Client(HTTP_HOST="127.0.0.1"), "get", api_url, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    # The decision form: pending requests of the second-largest DLI (added for the purpose, so
    # that the largest DLI's queue stays as seeded), decided by its primary user.
    second = Institution.objects.get(pk=second_id)
    decider = User.objects.get(membership__institution=second, membership__role="primary")
    seed.pending_batch(count=4000, prefix="D", institution_id=second.pk, log=_log)
    pending = list(
        VerificationRequest.objects.filter(institution=second, status="pending")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    decide_client, decide_session = _client(decider)
    csrf = secrets.token_hex(16)  # 32 characters: a CSRF secret, the form sends it unmasked
    decide_client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    decide_url = "/en/verifications/{pk}/"
    queries["decision POST"] = _count(
        decide_client,
        "post",
        decide_url.format(pk=pending.pop()),
        data={
            "csrfmiddlewaretoken": csrf,
            "outcome": "verified_matched",
            "comment": "",
            "action": "submit",
        },
        HTTP_ORIGIN=_origin(),
    )
    decide = {
        "url": decide_url,
        "name": "decision POST",
        "pending": pending,
        "csrf": csrf,
        "origin": _origin(),
        "headers": {"Cookie": f"{cookie}={decide_session}; {settings.CSRF_COOKIE_NAME}={csrf}"},
    }

    # Sign-in: secondary users of the other DLIs, in random order.
    accounts = list(
        User.objects.filter(membership__role="secondary")
        .exclude(membership__institution__in=[largest, second])
        .values_list("email", flat=True)
    )
    random.Random(14).shuffle(accounts)
    login_client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=False)
    login_client.get("/en/account/sign-in/", secure=True, **FORWARDED)
    queries["sign-in: password (sends the code)"] = _count(
        login_client,
        "post",
        "/en/account/sign-in/",
        data={"login": accounts.pop(), "password": seed.PASSWORD},
    )
    signin = {
        "accounts": accounts,
        "password": seed.PASSWORD,
        "login_url": "/en/account/sign-in/",
        "code_url": "/en/account/sign-in/code/",
        "home_url": "/en/home/",
        "origin": _origin(),
    }
    print(json.dumps({"pages": pages, "decide": decide, "signin": signin, "queries": queries}))


def batch(argv: list[str]) -> None:
    """A new DLI with the batch phase's pending requests, its decide token, and the queries of
    one 1,000-item batch (which decides the first thousand)."""
    from loaportal.accounts.models import User
    from loaportal.api.services import api_token_create
    from loaportal.institutions.models import Institution, Membership

    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args(argv)
    prefix = "B" + secrets.token_hex(3).upper()
    dli, numbers = seed.pending_batch(count=args.count + 1000, prefix=prefix, log=_log)
    institution = Institution.objects.get(pk=dli)
    user = User.objects.create_user(
        f"batch-{prefix.lower()}@college.example", None, surname="Batch", phone="+16135550123"
    )
    Membership.objects.create(user=user, institution=institution, role="primary")
    token = api_token_create(
        institution=institution, name="Benchmark batch", scope="decide", created_by=user
    ).value
    first, rest = numbers[:1000], numbers[1000:]
    body = {"decisions": [{"application_number": n, "outcome": "verified_matched"} for n in first]}
    counted = _count(
        Client(HTTP_HOST="127.0.0.1"),
        "post",
        "/api/v1/dli/decisions",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    chunks = [rest[i : i + 1000] for i in range(0, len(rest), 1000)]
    print(
        json.dumps({"dli": dli, "queries": counted, "locust": {"token": token, "chunks": chunks}})
    )


def count_decided(argv: list[str]) -> None:
    from loaportal.verifications.models import VerificationRequest

    parser = argparse.ArgumentParser()
    parser.add_argument("--dli", type=int, required=True)
    args = parser.parse_args(argv)
    decided = VerificationRequest.objects.filter(institution_id=args.dli).exclude(status="pending")
    # The first thousand were decided while counting the queries, before the phase.
    print(decided.count() - 1000)


def decision_file(argv: list[str]) -> None:
    """A 10,000-row decision file on the big database, through the decision-file services as
    the worker runs them: the check (preview), then the recording, each timed."""
    from loaportal.accounts.models import User
    from loaportal.decision_files.models import DecisionFile
    from loaportal.decision_files.services import (
        decision_file_check,
        decision_file_confirm,
        decision_file_record,
        decision_file_upload,
    )
    from loaportal.institutions.models import Institution, Membership

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    settings.DECISION_FILE_MAX_ROWS = max(settings.DECISION_FILE_MAX_ROWS, args.rows)
    settings.DECISION_FILE_MAX_BYTES = max(settings.DECISION_FILE_MAX_BYTES, args.rows * 200)
    prefix = "F" + secrets.token_hex(3).upper()
    dli, numbers = seed.pending_batch(count=args.rows, prefix=prefix, log=_log)
    institution = Institution.objects.get(pk=dli)
    user = User.objects.create_user(
        f"file-{prefix.lower()}@college.example", None, surname="File", phone="+16135550123"
    )
    Membership.objects.create(user=user, institution=institution, role="primary")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["application_number", "outcome", "comment"])
    outcomes = [("verified_matched", ""), ("not_verified_no_match", "Not issued by us")]
    for index, number in enumerate(numbers):
        writer.writerow([number, *outcomes[index % 2]])
    content = ("\ufeff" + buffer.getvalue()).encode()
    upload = decision_file_upload(user=user, file_name="bench.csv", content=content)
    started = time.perf_counter()
    checked = decision_file_check(decision_file_id=upload.pk)
    check_seconds = time.perf_counter() - started
    assert checked.status == DecisionFile.Status.CHECKED, checked.error_code
    decision_file_confirm(decision_file=checked, user=user)
    started = time.perf_counter()
    recorded = decision_file_record(decision_file_id=upload.pk)
    record_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": args.rows,
                "ready_rows": checked.ready_rows,
                "recorded_rows": recorded.recorded_rows,
                "check_seconds": round(check_seconds, 2),
                "record_seconds": round(record_seconds, 2),
                "total_seconds": round(check_seconds + record_seconds, 2),
            }
        )
    )
