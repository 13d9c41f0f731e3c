"""Seed a benchmark database fast: PostgreSQL COPY, not the ORM (``benchmarks/run.py`` calls it).

The data set (issue 14, ``../shared/domain.md`` "Numbers"):

- 2,000 DLIs in every province; their sizes fall off like a Zipf curve, the largest holds
  ``requests / 20`` requests (50,000 of 1,000,000);
- 10,000 DLI users (a primary user and four secondary users per DLI) plus 20 IRCC officers,
  each with a verified address and the current terms accepted; all share one real Argon2id hash of
  ``PASSWORD`` (computed once: the hash is what a sign-in checks, not how it was made);
- the requests, spread over three years with intake peaks (January, May, September), due 14
  days after they arrive. Those still within their deadline are pending (about 1.3 %, "the
  rest"); the others are closed in the proportions of domain.md: 93 % verified – matched, 2 %
  no match, 1 % cancelled, 2.7 % no response;
- each request's history (``created``, then ``decided`` or ``no_response``) and the audit
  entries the services write for the same steps, **in the hash chain**: each seeded entry has
  its position and its HMAC (``audit.chain.entry_hash``), and the chain head is moved to the
  last one, so ``loaportal verify_audit`` accepts the seeded trail;
- the statistics summary (``statistics_refresh_all``), as the nightly job leaves it;
- the DLIs' counts of requests by status (``verification_status_counts_rebuild``), as the
  services keep them.

Every row that the ORM would fill with a default gets the same value here; documents are not
written to the object store (the benchmark never opens one: the pages only link to them).
"""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

PASSWORD = "Benchmark-passphrase-2026!"  # noqa: S105 (a throwaway data set's password)
PROVINCES = ["ON", "QC", "BC", "AB", "MB", "SK", "NS", "NB", "NL", "PE", "YT", "NT", "NU"]
SURNAMES = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Smith",
    "Brown",
    "Wilson",
    "Singh",
    "Patel",
    "Nguyen",
    "Wang",
    "Li",
    "Zhang",
    "Kumar",
    "Lévesque-O'Neil",
    "Kaur",
    "Chen",
    "Ahmed",
    "Garcia",
    "Silva",
    "Martin",
    "Pelletier",
]
GIVEN = ["Marie", "Jean", "Wei", "Priya", "Amir", "Sofia", "Liam", "Aarav", "Chloé", "Noah"]
PROGRAMS = ["Computer Science", "Business Administration", "Nursing", "Engineering", "Arts"]
MEMBERS_PER_DLI = 5
OFFICERS = 20
DEADLINE = timedelta(days=14)
CLOSED_MIX = [  # status, share of closed requests (domain.md: 93 / 2 / 1 / 2.7 of all)
    ("verified_matched", 93.0),
    ("not_verified_no_match", 2.0),
    ("not_verified_cancelled", 1.0),
    ("no_response", 2.7),
]
PEAK_MONTHS = {1: 2.2, 5: 1.8, 8: 1.6, 9: 2.4}  # intake seasons weigh more


def _ts(value: datetime) -> str:
    return value.isoformat()


def _text(value: object) -> str:
    """A value in COPY's text format (none of ours holds a tab, newline or backslash)."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _copy(cursor, table: str, columns: list[str], rows: Iterable[Iterable[object]]) -> int:
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_text(v) for v in row))
            buffer.write("\n")
            count += 1
            if count % 20000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def dli_sizes(total: int, dlis: int) -> list[int]:
    """How many requests each DLI holds: the largest ``total / 20``, the others on a Zipf-like
    curve, every DLI at least one; the sum is exactly ``total``."""
    largest = total // 20
    rest = total - largest
    weights = [1 / (rank + 8) ** 0.9 for rank in range(1, dlis)]
    scale = rest / sum(weights)
    sizes = [largest] + [max(1, int(w * scale)) for w in weights]
    # Rounding (and the floor of one): the difference goes to, or comes from, the biggest ones.
    difference, rank = total - sum(sizes), 1
    while difference:
        step = 1 if difference > 0 else -1
        if sizes[rank] + step >= 1:
            sizes[rank] += step
            difference -= step
        rank = rank % (dlis - 1) + 1
    assert sum(sizes) == total and max(sizes[1:]) < largest, sizes[:3]
    return sizes


def _requested_at(rng: random.Random, start: datetime, span_days: int) -> datetime:
    while True:
        moment = start + timedelta(seconds=rng.uniform(0, span_days * 86400))
        if rng.random() * 2.4 <= PEAK_MONTHS.get(moment.month, 1.0):
            return moment


def seed(*, requests: int, dlis: int = 2000, seed_value: int = 14, log=print) -> dict:
    """Fill an empty, migrated database. Returns what was made (for the result file)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from loaportal.audit.chain import GENESIS, HEAD_ID, entry_hash
    from loaportal.audit.models import AuditChainHead, AuditEvent
    from loaportal.statistics.services import statistics_refresh_all
    from loaportal.terms.selectors import terms_current
    from loaportal.verifications.models import name_search_key
    from loaportal.verifications.services import verification_status_counts_rebuild

    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    start = now - timedelta(days=3 * 365)
    started = time.perf_counter()
    made: dict = {"requests": requests, "dlis": dlis}
    password_hash = make_password(PASSWORD)
    terms = terms_current()
    sizes = dli_sizes(requests, dlis)

    def step(label: str) -> None:
        log(f"  seed: {label} ({time.perf_counter() - started:.0f} s)")

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own cursor: COPY
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM institutions_institution")
        base_dli = cursor.fetchone()[0]
        _copy(
            cursor,
            "institutions_institution",
            ["id", "dli_number", "name_en", "name_fr", "province", "post_secondary", "created_at"],
            (
                (
                    base_dli + i + 1,
                    f"O{19000000000 + base_dli + i:011d}",
                    f"Bench College {i + 1}",
                    f"Collège d'essai {i + 1}",
                    PROVINCES[i % len(PROVINCES)],
                    True,
                    start,
                )
                for i in range(dlis)
            ),
        )
        dli_ids = [base_dli + i + 1 for i in range(dlis)]

        # Users: per DLI one primary and four members; then the officers.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        base_user = cursor.fetchone()[0]
        users = []  # (id, email, is_staff, dli id or None, role)
        for index, dli_id in enumerate(dli_ids):
            for slot in range(MEMBERS_PER_DLI):
                uid = base_user + len(users) + 1
                role = "primary" if slot == 0 else "secondary"
                users.append(
                    (uid, f"user{index + 1}-{slot}@dli{index + 1}.example", False, dli_id, role)
                )
        for slot in range(OFFICERS):
            uid = base_user + len(users) + 1
            users.append((uid, f"officer{slot + 1}@ircc.example", True, None, None))
        _copy(
            cursor,
            "accounts_user",
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "surname",
                "given_names",
                "phone",
                "preferred_language",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (
                    uid,
                    password_hash,
                    False,
                    email,
                    SURNAMES[uid % len(SURNAMES)],
                    GIVEN[uid % len(GIVEN)],
                    "+16135550123",
                    "en",
                    staff,
                    True,
                    start,
                )
                for uid, email, staff, _dli, _role in users
            ),
        )
        _copy(
            cursor,
            "account_emailaddress",
            ["user_id", "email", "verified", '"primary"'],
            ((uid, email, True, True) for uid, email, *_ in users),
        )
        _copy(
            cursor,
            "institutions_membership",
            ["user_id", "institution_id", "role", "created_at", "end_reason"],
            ((uid, dli, role, start, "") for uid, _e, _s, dli, role in users if dli),
        )
        if terms is not None:
            _copy(
                cursor,
                "terms_termsacceptance",
                ["user_id", "version_id", "accepted_at"],
                ((uid, terms.pk, start) for uid, *_ in users),
            )
        made["users"] = len(users)
        step(f"{dlis:,} DLIs, {len(users):,} users")

        # Requests, their history and their audit entries, DLI by DLI.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM verifications_verificationrequest")
        base_request = cursor.fetchone()[0]
        cursor.execute("SELECT seq, chain_hash FROM audit_auditchainhead WHERE id = %s", [HEAD_ID])
        head = cursor.fetchone()
        seq, chain = head if head else (0, GENESIS)
        members_of = {}
        for uid, _e, _s, dli, _role in users:
            if dli:
                members_of.setdefault(dli, []).append(uid)
        email_of = {uid: email for uid, email, *_ in users}
        span = 3 * 365
        request_rows, event_rows, audit_rows = [], [], []
        status_counts: dict[str, int] = {}
        closed_statuses = [s for s, _ in CLOSED_MIX]
        closed_weights = [w for _, w in CLOSED_MIX]
        audit_event = AuditEvent()  # reused: entry_hash reads its attributes
        request_id = base_request
        request_type = "verifications.verificationrequest"

        def audit(when, kind, actor, dli, subject, details):
            nonlocal seq, chain
            seq += 1
            audit_event.seq = seq
            audit_event.occurred_at = when
            audit_event.event_type = kind
            audit_event.actor_id = actor
            audit_event.actor_email = email_of.get(actor, "") if actor else ""
            audit_event.institution_id = dli
            audit_event.target_user_id = None
            audit_event.target_email = ""
            audit_event.ip_address = None
            audit_event.subject_type = request_type
            audit_event.subject_id = str(subject)
            audit_event.details = details
            chain = entry_hash(audit_event, chain)
            audit_rows.append(
                (
                    seq,
                    when,
                    kind,
                    actor,
                    audit_event.actor_email,
                    dli,
                    "",
                    request_type,
                    str(subject),
                    json.dumps(details, ensure_ascii=False),
                    chain,
                )
            )

        def flush() -> None:
            _copy(
                cursor,
                "verifications_verificationrequest",
                [
                    "id",
                    "application_number",
                    "institution_id",
                    "surname",
                    "given_names",
                    "name_key",
                    "date_of_birth",
                    "program",
                    "start_date",
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
                    "original_due_at",
                    "no_response_recorded_at",
                    "created_at",
                    "updated_at",
                ],
                request_rows,
            )
            _copy(
                cursor,
                "verifications_verificationevent",
                ["request_id", "kind", "occurred_at", "actor_id", "outcome", "comment", "details"],
                event_rows,
            )
            _copy(
                cursor,
                "audit_auditevent",
                [
                    "seq",
                    "occurred_at",
                    "event_type",
                    "actor_id",
                    "actor_email",
                    "institution_id",
                    "target_email",
                    "subject_type",
                    "subject_id",
                    "details",
                    "chain_hash",
                ],
                audit_rows,
            )
            request_rows.clear()
            event_rows.clear()
            audit_rows.clear()

        for dli_index, (dli_id, size) in enumerate(zip(dli_ids, sizes, strict=True)):
            members = members_of[dli_id]
            for _ in range(size):
                request_id += 1
                requested = _requested_at(rng, start, span)
                due = requested + DEADLINE
                surname = SURNAMES[rng.randrange(len(SURNAMES))]
                given = GIVEN[rng.randrange(len(GIVEN))]
                number = f"W{request_id:09d}"
                closed = due <= now
                status = rng.choices(closed_statuses, closed_weights)[0] if closed else "pending"
                status_counts[status] = status_counts.get(status, 0) + 1
                decided_at = decided_by = no_response_at = None
                comment = ""
                updated = requested
                event_rows.append((request_id, "created", requested, None, "", "", "{}"))
                audit(
                    requested,
                    "verification_request_created",
                    None,
                    dli_id,
                    request_id,
                    {"application_number": number, "source": "api", "due_at": _ts(due)},
                )
                if status in (
                    "verified_matched",
                    "not_verified_no_match",
                    "not_verified_cancelled",
                ):
                    decided_at = requested + timedelta(seconds=rng.uniform(3600, 13 * 86400))
                    decided_by = members[rng.randrange(len(members))]
                    if status != "verified_matched":
                        comment = (
                            "Not issued by us" if status == "not_verified_no_match" else "Withdrawn"
                        )
                    updated = decided_at
                    event_rows.append(
                        (request_id, "decided", decided_at, decided_by, status, comment, "{}")
                    )
                    audit(
                        decided_at,
                        "verification_decided",
                        decided_by,
                        dli_id,
                        request_id,
                        {"application_number": number, "outcome": status},
                    )
                elif status == "no_response":
                    no_response_at = due + timedelta(minutes=5)
                    updated = no_response_at
                    event_rows.append(
                        (
                            request_id,
                            "no_response",
                            no_response_at,
                            None,
                            "no_response",
                            "",
                            json.dumps({"due_at": _ts(due)}),
                        )
                    )
                    audit(
                        no_response_at,
                        "verification_no_response",
                        None,
                        dli_id,
                        request_id,
                        {"application_number": number, "due_at": _ts(due)},
                    )
                birth = datetime(
                    1995 + rng.randrange(12), 1 + rng.randrange(12), 1 + rng.randrange(28)
                )
                request_rows.append(
                    (
                        request_id,
                        number,
                        dli_id,
                        surname,
                        given,
                        name_search_key(f"{surname} {given}"),
                        birth.date(),
                        PROGRAMS[request_id % len(PROGRAMS)],
                        None,
                        f"S{request_id:08d}",
                        "",
                        "",
                        requested,
                        due,
                        status,
                        f"bench/{number}.pdf",
                        "loa.pdf",
                        "application/pdf",
                        48213,
                        decided_at,
                        decided_by,
                        comment,
                        due,
                        no_response_at,
                        requested,
                        updated,
                    )
                )
                if len(request_rows) >= 50000:
                    flush()
            if dli_index in (0, 9, 99, 999):
                flush()
                step(f"{dli_index + 1} DLIs' requests ({request_id - base_request:,})")
        flush()
        AuditChainHead.objects.update_or_create(
            pk=HEAD_ID, defaults={"seq": seq, "chain_hash": chain}
        )
        made["status_counts"] = status_counts
        made["audit_events"] = seq
        # The sequences continue after the rows written with explicit ids.
        for table in (
            "institutions_institution",
            "accounts_user",
            "verifications_verificationrequest",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    step(f"{requests:,} requests, histories and audit entries")
    # The DLIs' counts by status (ADR 0019), as the services keep them: the requests were
    # written by COPY, past the services. (A database seeded before these counts existed gets
    # them from the migration that adds them: the same GROUP BY.)
    verification_status_counts_rebuild()
    with connection.cursor() as cursor:
        # As autovacuum leaves a table that has settled: statistics and the visibility map
        # (which lets PostgreSQL answer counts and key lookups from an index alone).
        cursor.execute("VACUUM ANALYZE")
    statistics_refresh_all()
    step("statistics summary and ANALYZE")
    made["largest_dli"] = dli_ids[0]
    made["largest_dli_requests"] = sizes[0]
    made["seconds"] = round(time.perf_counter() - started, 1)
    made["hmac_key_hint"] = "AUDIT_HMAC_KEY of the run" if settings.AUDIT_HMAC_KEY else ""
    return made


def pending_batch(
    *, count: int, prefix: str, institution_id: int | None = None, log=print
) -> tuple[int, list[str]]:
    """``count`` pending requests, by COPY, for a new DLI (the batch-API phase) or an existing
    one; returns the DLI's id and the application numbers. Their creation is not measured."""
    from django.db import connection, transaction

    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        dli = institution_id
        if dli is None:
            cursor.execute(
                "INSERT INTO institutions_institution (dli_number, name_en, name_fr, province, "
                "post_secondary, created_at) VALUES (%s, %s, %s, 'ON', true, %s) RETURNING id",
                [f"O{int(prefix[1:], 36) % 10**11:011d}", f"Batch {prefix}", f"Lot {prefix}", now],
            )
            dli = cursor.fetchone()[0]
        numbers = [f"{prefix}{index:07d}" for index in range(count)]
        requested = now - timedelta(hours=1)

        def rows() -> Iterator[tuple]:
            for number in numbers:
                yield (
                    number,
                    dli,
                    "Batch",
                    "Student",
                    "BATCH STUDENT",
                    "2001-01-01",
                    "",
                    "",
                    "",
                    "",
                    requested,
                    now + DEADLINE,
                    "pending",
                    f"bench/{number}.pdf",
                    "loa.pdf",
                    "application/pdf",
                    48213,
                    "",
                    now + DEADLINE,
                    requested,
                    requested,
                )

        _copy(
            cursor,
            "verifications_verificationrequest",
            [
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
                "decision_comment",
                "original_due_at",
                "created_at",
                "updated_at",
            ],
            rows(),
        )
    log(f"  {count:,} pending requests for the batch phase (DLI {dli})")
    return dli, numbers
