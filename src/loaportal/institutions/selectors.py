from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from loaportal.core.roles import roles_of
from loaportal.institutions.models import Institution, Membership, UserChangeRequest

if TYPE_CHECKING:
    from loaportal.accounts.models import User


def membership_current(user: User) -> Membership | None:
    """The user's current membership, read from the database.

    ``core.roles`` asks this (registered in ``InstitutionsConfig.ready``), and so do services
    that check a role before a write; pages use ``request.membership`` (``core.roles``).
    """
    return Membership.objects.current().select_related("institution").filter(user=user).first()


def institution_visible_to(*, user: User) -> QuerySet[Institution]:
    """The DLIs this user may look up: every DLI for an officer, their own for a member."""
    roles = roles_of(user)
    if roles.is_officer:
        return Institution.objects.all()
    institution = roles.institution
    if institution is not None:  # a member
        return Institution.objects.filter(pk=institution.pk)
    return Institution.objects.none()


def membership_visible_to(*, user: User) -> QuerySet[Membership]:
    """The memberships this user may look up: all for an officer, their DLI's for a member."""
    roles = roles_of(user)
    memberships = Membership.objects.current().select_related("institution", "user")
    if roles.is_officer:
        return memberships
    if roles.is_member:
        return memberships.filter(institution=roles.institution)
    return memberships.none()


def user_change_request_visible_to(*, user: User) -> QuerySet[UserChangeRequest]:
    """The user-change requests this user may open: all for an officer, their DLI's for its
    primary user (secondary users do not see requests)."""
    roles = roles_of(user)
    requests = UserChangeRequest.objects.select_related(
        "institution", "requested_by", "target_user", "decided_by"
    )
    if roles.is_officer:
        return requests
    if roles.is_primary:
        return requests.filter(institution=roles.institution)
    return requests.none()


def membership_primary(*, institution: Institution) -> Membership | None:
    """The DLI's current primary user's membership, or None while it has none."""
    return (
        Membership.objects.current()
        .select_related("user")
        .filter(institution=institution, role=Membership.Role.PRIMARY)
        .first()
    )


def institution_by_number(*, dli_number: str) -> Institution | None:
    return Institution.objects.filter(dli_number=dli_number.strip().upper()).first()


def membership_list(*, institution: Institution) -> QuerySet[Membership]:
    """The DLI's users, primary first, with whether each has confirmed their email address."""
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=OuterRef("user"), verified=True)
    return (
        Membership.objects.current()
        .filter(institution=institution)
        .select_related("user")
        .annotate(email_verified=Exists(verified))
        .order_by("role", "user__surname", "user__given_names", "user__email")
    )


def secondary_memberships(*, institution: Institution) -> QuerySet[Membership]:
    """The DLI's active secondary users: the only users its requests may name."""
    return (
        Membership.objects.current()
        .filter(institution=institution, role=Membership.Role.SECONDARY, user__is_active=True)
        .select_related("user")
        .order_by("user__surname", "user__given_names", "user__email")
    )


def user_change_request_list(*, institution: Institution) -> QuerySet[UserChangeRequest]:
    """One DLI's requests, newest first."""
    return (
        UserChangeRequest.objects.filter(institution=institution)
        .select_related("requested_by", "target_user", "decided_by")
        .order_by("-submitted_at", "-id")
    )


def user_change_request_queue(
    *, status: str = UserChangeRequest.Status.SUBMITTED
) -> QuerySet[UserChangeRequest]:
    """Officers' queue: open requests oldest first; decided ones most recently decided first."""
    requests = UserChangeRequest.objects.filter(status=status).select_related(
        "institution", "requested_by", "target_user", "decided_by"
    )
    if status == UserChangeRequest.Status.SUBMITTED:
        return requests.order_by("submitted_at", "id")
    return requests.order_by("-decided_at", "-id")


def institution_search(*, query: str = "") -> QuerySet[Institution]:
    """DLIs for officers, by number or name, with their number of users and open requests."""
    institutions = Institution.objects.annotate(
        user_count=Count(
            "memberships", filter=Q(memberships__ended_at__isnull=True), distinct=True
        ),
        open_request_count=Count(
            "user_change_requests",
            filter=Q(user_change_requests__status=UserChangeRequest.Status.SUBMITTED),
            distinct=True,
        ),
    )
    query = query.strip()
    if query:
        institutions = institutions.filter(
            Q(dli_number__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_fr__icontains=query)
        )
    return institutions.order_by("name_en", "dli_number")
