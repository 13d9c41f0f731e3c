"""Reading verification requests. Every lookup by id goes through
``verification_request_visible_to``: isolation between DLIs is a property of this module.

Status filters use the *effective* status (``VerificationRequest.effective_status``): a pending
request whose deadline has passed counts as "no response" at once, before ``close_overdue``
records it. Each filter matches one of the indexes listed in ``VerificationRequest.Meta``
(README "Verification requests").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from loaportal.accounts.models import User
from loaportal.core.roles import roles_of
from loaportal.institutions.models import Institution
from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.models import (
    COUNTED_STATUSES,
    VerificationEvent,
    VerificationRequest,
    VerificationStatusCounts,
    name_search_key,
)

Status = VerificationRequest.Status

TABS = ("todo", "mine", "due_soon", "decided", "no_response")
DUE_SOON = timedelta(days=3)
# The at-risk view: pending requests this close to their deadline.
AT_RISK = timedelta(hours=24)
# The assignee filter's value for "nobody assigned".
UNASSIGNED = "none"
# A queue search's exact matches (application number, student ID) are at most a handful.
EXACT_MATCHES_LIMIT = 100


def verification_request_visible_to(*, user: User) -> QuerySet[VerificationRequest]:
    """The requests this user may open: every request for an officer, their DLI's for a
    member (primary or secondary), none for anyone else."""
    roles = roles_of(user)
    requests = VerificationRequest.objects.select_related(
        "institution", "decided_by", "assigned_to"
    )
    if roles.is_officer:
        return requests
    if roles.is_member:
        return requests.filter(institution=roles.institution)
    return requests.none()


def _status_q(status: str, now: datetime) -> Q:
    """The requests whose effective status is ``status`` at ``now``."""
    if status == Status.PENDING:
        return Q(status=Status.PENDING, due_at__gte=now)
    if status == Status.NO_RESPONSE:
        return Q(status=Status.NO_RESPONSE) | Q(status=Status.PENDING, due_at__lt=now)
    return Q(status=status)


def _tab_q(tab: str, now: datetime, user: User | None = None) -> Q:
    if tab == "todo":
        return _status_q(Status.PENDING, now)
    if tab == "mine":
        # Still to do and assigned to this user (served by ``verif_request_assignee``).
        if user is None:
            return Q(pk__in=[])
        return Q(assigned_to=user) & _status_q(Status.PENDING, now)
    if tab == "due_soon":
        return Q(status=Status.PENDING, due_at__gte=now, due_at__lte=now + DUE_SOON)
    if tab == "decided":
        return Q(status__in=VerificationRequest.OUTCOMES)
    if tab == "no_response":
        return _status_q(Status.NO_RESPONSE, now)
    raise ValueError(f"Unknown tab: {tab!r}")


def _search_q(query: str) -> Q:
    """A date of birth written YYYY-MM-DD; else the start of the name, surname first, in any
    case and with or without accents ("trem", "Tremblay Mar"), the application number or the
    student ID (exact). Each alternative is served by an index (README)."""
    query = " ".join(query.split())
    if not query:
        return Q()
    try:
        return Q(date_of_birth=date.fromisoformat(query))
    except ValueError:
        pass
    alternatives = (
        Q(application_number=query.replace(" ", "").upper())
        | Q(student_id=query)
        | Q(student_id=query.upper())
    )
    key = name_search_key(query)
    if key:
        alternatives |= Q(name_key__startswith=key)
    return alternatives


def _queue_search_q(query: str, institution: Institution) -> Q:
    """``_search_q`` for one DLI's queue, written so that a name search is a condition on the
    name alone: the application number and student ID are looked up first (one small query on
    their unique / per-DLI indexes, only for a search that could be a name), and the few
    requests they find are added by key. Without the ``OR`` of four columns, PostgreSQL reads a
    name search's matches in the tab's order from one index, without the rows
    (``verif_request_decided_name``)."""
    query = " ".join(query.split())
    key = name_search_key(query)
    if not query or not key:
        return _search_q(query)
    try:
        date.fromisoformat(query)
    except ValueError:
        pass
    else:
        return _search_q(query)
    exact = (
        Q(application_number=query.replace(" ", "").upper())
        | Q(student_id=query)
        | Q(student_id=query.upper())
    )
    found = list(
        VerificationRequest.objects.filter(Q(institution=institution) & exact)
        .order_by("pk")
        .values_list("pk", flat=True)[:EXACT_MATCHES_LIMIT]
    )
    by_name = Q(name_key__startswith=key)
    return by_name | Q(pk__in=found) if found else by_name


def _assignee_q(assignee: int | str | None) -> Q:
    """``None``: anyone; ``UNASSIGNED``: nobody assigned; else a user's id."""
    if assignee is None or assignee == "":
        return Q()
    if assignee == UNASSIGNED:
        return Q(assigned_to__isnull=True)
    return Q(assigned_to_id=int(assignee))


def verification_queue(
    *,
    institution: Institution,
    tab: str,
    query: str = "",
    assignee: int | str | None = None,
    user: User | None = None,
    now: datetime | None = None,
) -> QuerySet[VerificationRequest]:
    """One DLI's queue for a tab (``TABS``): ``todo`` (pending, deadline not passed),
    ``mine`` (of those, assigned to ``user``), ``due_soon`` (pending, due within 3 days),
    ``decided``, ``no_response``; soonest due first for the open tabs, latest due first for
    the closed ones. ``assignee``: a user's id, ``UNASSIGNED`` or ``None`` (anyone). Each row
    comes with its assignee (and, when closed, who decided), without a query per row. A search
    that could be a name runs one small query now (``_queue_search_q``)."""
    now = now or timezone.now()
    requests = (
        VerificationRequest.objects.filter(institution=institution)
        .filter(
            _tab_q(tab, now, user) & _queue_search_q(query, institution) & _assignee_q(assignee)
        )
        .select_related("assigned_to")
    )
    if tab in ("todo", "mine", "due_soon"):
        return requests.order_by("due_at", "id")
    return requests.select_related("decided_by").order_by("-due_at", "-id")


def _pending_count(requests: QuerySet[VerificationRequest], condition: Q) -> Coalesce:
    """How many of ``requests`` (one DLI's pending requests) meet ``condition``, as a scalar
    subquery (0, not NULL, when none does)."""
    return Coalesce(
        Subquery(
            requests.filter(condition)
            .order_by()
            .values("institution")
            .annotate(n=Count("due_at"))
            .values("n")
        ),
        0,
    )


def verification_tab_counts(
    *,
    institution: Institution,
    user: User | None = None,
    now: datetime | None = None,
    matching: QuerySet[VerificationRequest] | None = None,
    matching_limit: int = 1000,
) -> dict[str, int]:
    """How many requests each tab holds (``mine``: assigned to ``user``), in one query whose
    cost does not grow with the DLI's closed requests (ADR 0019).

    The open tabs, and the deadlines passed but not yet recorded (part of "No response"),
    are counted from the DLI's pending requests alone (``verif_request_pending``: read from
    the index, without the rows; a DLI has few pending requests at any time). The closed
    statuses stored come from the DLI's ``VerificationStatusCounts``, kept by the services.

    ``matching`` (a searched or filtered queue): also how many requests it holds, counted up
    to ``matching_limit + 1`` (``"matching"``; more than the limit means "more than"), in the
    same query."""
    now = now or timezone.now()
    requests = VerificationRequest.objects.filter(institution=OuterRef("pk"), status=Status.PENDING)
    stored = {
        status: Coalesce(F(f"verification_status_counts__{status}"), 0)
        for status in (*VerificationRequest.OUTCOMES, Status.NO_RESPONSE)
    }
    row = (
        Institution.objects.filter(pk=institution.pk)
        .values("pk")
        .annotate(
            todo=_pending_count(requests, Q(due_at__gte=now)),
            mine=(
                _pending_count(requests, Q(assigned_to=user, due_at__gte=now))
                if user is not None
                else Value(0)
            ),
            due_soon=_pending_count(requests, Q(due_at__gte=now, due_at__lte=now + DUE_SOON)),
            overdue=_pending_count(requests, Q(due_at__lt=now)),
            decided=sum(
                (stored[status] for status in VerificationRequest.OUTCOMES[1:]),
                start=stored[VerificationRequest.OUTCOMES[0]],
            ),
            no_response_recorded=stored[Status.NO_RESPONSE],
            matching=(
                _capped_count(matching, matching_limit + 1) if matching is not None else Value(0)
            ),
        )
        .get()
    )
    return {
        "todo": row["todo"],
        "mine": row["mine"],
        "due_soon": row["due_soon"],
        "decided": row["decided"],
        "no_response": row["no_response_recorded"] + row["overdue"],
        **({"matching": row["matching"]} if matching is not None else {}),
    }


def _capped_count(requests: QuerySet[VerificationRequest], limit: int) -> RawSQL:
    """How many rows ``requests`` holds, counting no further than ``limit``, as a scalar
    subquery: ``SELECT COUNT(*) FROM (… LIMIT limit)``, which reads at most ``limit`` index
    entries."""
    sql, params = requests.order_by().values("pk")[:limit].query.sql_with_params()
    # Django's own SQL for the queryset, its values as parameters.
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params)  # noqa: S608, S611


def verification_assignees(*, institution: Institution) -> QuerySet[User]:
    """The people a request of this DLI may be assigned to: its current members with an active
    account, by name. The assignment service checks the same rule again under its lock."""
    return User.objects.filter(
        is_active=True,
        membership__institution=institution,
        membership__ended_at__isnull=True,
    ).order_by("surname", "given_names", "email")


def verification_at_risk(
    *, institution: Institution | None = None, now: datetime | None = None
) -> QuerySet[VerificationRequest]:
    """Pending requests due within the next 24 hours (``AT_RISK``), soonest first: one DLI's,
    or every DLI's (``institution=None``, for officers). Served by ``verif_request_queue`` and
    ``verif_request_overdue``; each row comes with its DLI and assignee."""
    now = now or timezone.now()
    requests = VerificationRequest.objects.filter(
        status=Status.PENDING, due_at__gte=now, due_at__lte=now + AT_RISK
    )
    if institution is not None:
        requests = requests.filter(institution=institution)
    return requests.select_related("institution", "assigned_to").order_by("due_at", "id")


def verification_at_risk_counts(
    *, institution: Institution, now: datetime | None = None
) -> dict[str, int]:
    """How many of one DLI's requests are at risk, and how many of those nobody has, in one
    query."""
    totals = verification_at_risk(institution=institution, now=now).aggregate(
        total=Count("pk"), unassigned=Count("pk", filter=Q(assigned_to__isnull=True))
    )
    return {"total": totals["total"] or 0, "unassigned": totals["unassigned"] or 0}


def verification_at_risk_by_dli(*, now: datetime | None = None) -> QuerySet[Institution]:
    """For officers: the DLIs with requests at risk, each annotated with ``at_risk`` (how
    many) and ``at_risk_unassigned`` (how many of those nobody has); most at risk first. One
    query."""
    now = now or timezone.now()
    at_risk = Q(
        verification_requests__status=Status.PENDING,
        verification_requests__due_at__gte=now,
        verification_requests__due_at__lte=now + AT_RISK,
    )
    return (
        Institution.objects.filter(at_risk)
        .annotate(
            at_risk=Count("verification_requests", filter=at_risk),
            at_risk_unassigned=Count(
                "verification_requests",
                filter=at_risk & Q(verification_requests__assigned_to__isnull=True),
            ),
        )
        .order_by("-at_risk", "dli_number")
    )


def verification_request_list_for_officers(
    *,
    dli: Institution | str | None = None,
    status: str | None = None,
    requested_from: date | None = None,
    requested_to: date | None = None,
    query: str = "",
    now: datetime | None = None,
) -> QuerySet[VerificationRequest]:
    """Every DLI's requests for officers, newest request first. ``dli``: a DLI or its number;
    ``status``: an effective status; ``requested_from``/``requested_to``: days (inclusive) in
    Eastern time, the deadline's zone."""
    now = now or timezone.now()
    requests = VerificationRequest.objects.select_related(
        "institution", "decided_by", "assigned_to"
    )
    if dli:
        if isinstance(dli, str):
            requests = requests.filter(institution__dli_number=dli.strip().upper())
        else:
            requests = requests.filter(institution=dli)
    if status:
        if status not in Status.values:
            return requests.none()
        requests = requests.filter(_status_q(status, now))
    if requested_from:
        start = datetime.combine(requested_from, time.min, tzinfo=DEADLINE_ZONE)
        requests = requests.filter(requested_at__gte=start)
    if requested_to:
        end = datetime.combine(requested_to + timedelta(days=1), time.min, tzinfo=DEADLINE_ZONE)
        requests = requests.filter(requested_at__lt=end)
    requests = requests.filter(_search_q(query))
    return requests.order_by("-requested_at", "-id")


def verification_event_list(
    *, verification_request: VerificationRequest
) -> QuerySet[VerificationEvent]:
    """A request's history, oldest first."""
    return (
        VerificationEvent.objects.filter(request=verification_request)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


FEED_ORDERS = ("due_at", "updated_at")


def verification_request_feed(
    *,
    user: User,
    status: str | None = None,
    due_before: datetime | None = None,
    updated_since: datetime | None = None,
    order: str = "due_at",
    after: tuple[datetime, int] | None = None,
    settled_before: datetime | None = None,
    with_history: bool = False,
    now: datetime | None = None,
) -> QuerySet[VerificationRequest]:
    """The requests this user may see (``verification_request_visible_to``) for a program
    reading them page by page (the API): filtered by effective ``status``, ``due_before``
    (due strictly before) and ``updated_since`` (changed at or after), in the stable order
    ``(order, id)`` — ``due_at`` or ``updated_at`` — starting strictly after the key ``after``
    (keyset pagination: a page never repeats or skips a row however the data grows).
    ``settled_before``: leave out changes at or after this moment (the feed's settling time).
    ``with_history``: fetch each request's history (``verification_history_prefetch``)."""
    if order not in FEED_ORDERS:
        raise ValueError(f"Unknown order: {order!r}")
    now = now or timezone.now()
    requests = verification_request_visible_to(user=user)
    if with_history:
        requests = requests.prefetch_related(verification_history_prefetch())
    if status:
        if status not in Status.values:
            return requests.none()
        requests = requests.filter(_status_q(status, now))
    if due_before is not None:
        requests = requests.filter(due_at__lt=due_before)
    if updated_since is not None:
        requests = requests.filter(updated_at__gte=updated_since)
    if settled_before is not None:
        requests = requests.filter(updated_at__lt=settled_before)
    if after is not None:
        value, pk = after
        requests = requests.filter(Q(**{f"{order}__gt": value}) | Q(**{order: value, "pk__gt": pk}))
    return requests.order_by(order, "id")


def verification_history_prefetch() -> Prefetch[str, QuerySet[VerificationEvent]]:
    """Each request's history as outside systems see it (``request.history``): oldest first,
    without the DLI's housekeeping entries (documents viewed, assignments)."""
    return Prefetch(
        "events",
        queryset=VerificationEvent.objects.exclude(kind__in=VerificationEvent.HOUSEKEEPING_KINDS)
        .select_related("actor")
        .order_by("occurred_at", "id"),
        to_attr="history",
    )


def verification_status_counts_counted() -> dict[int, dict[str, int]]:
    """Per DLI (by id), how many of its requests hold each closed status, counted from the
    requests now (one ``GROUP BY``); DLIs with none are left out."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        VerificationRequest.objects.filter(status__in=COUNTED_STATUSES)
        .values_list("institution_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for institution_id, status, n in rows:
        counts.setdefault(institution_id, dict.fromkeys(COUNTED_STATUSES, 0))[status] = n
    return counts


def verification_status_counts_stored() -> dict[int, dict[str, int]]:
    """What ``VerificationStatusCounts`` holds per DLI (by id); rows of zeros left out."""
    stored = {}
    for row in VerificationStatusCounts.objects.all():
        counts = row.as_dict()
        if any(counts.values()):
            stored[row.institution_id] = counts
    return stored


def verification_status_counts_differences() -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """The DLIs whose stored counts (the queue's "Decided" and "No response" tabs) differ from
    a fresh count of their requests: id → (stored, counted). Empty when the counts are exact,
    as the services keep them (ADR 0019).

    Both are read from one snapshot of the database, so a decision committed between the two
    reads is not taken for a difference: in the caller's transaction if there is one (the
    repair holds the requests against writes), else in a transaction of its own, on
    PostgreSQL at REPEATABLE READ (a snapshot, without holding writers back)."""
    if connection.in_atomic_block:
        stored, counted = verification_status_counts_stored(), verification_status_counts_counted()
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            stored = verification_status_counts_stored()
            counted = verification_status_counts_counted()
    zeros = dict.fromkeys(COUNTED_STATUSES, 0)
    return {
        institution_id: (stored.get(institution_id, zeros), counted.get(institution_id, zeros))
        for institution_id in sorted(stored.keys() | counted.keys())
        if stored.get(institution_id, zeros) != counted.get(institution_id, zeros)
    }
