from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from loaportal.core.roles import roles_of

if TYPE_CHECKING:
    from allauth.usersessions.models import UserSession

    from loaportal.accounts.models import User


def user_sessions_open(*, user: User) -> list[UserSession]:
    """The user's signed-in sessions that are still open, oldest first."""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user).order_by("created_at", "id"))
    alive = set(
        Session.objects.filter(
            session_key__in=[s.session_key for s in sessions], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    return [s for s in sessions if s.session_key in alive]


def user_visible_to(*, user: User) -> QuerySet[User]:
    """The accounts this user may look up: every account for an officer, their own otherwise."""
    users = get_user_model().objects.all()
    if roles_of(user).is_officer:
        return users
    if getattr(user, "is_authenticated", False):
        return users.filter(pk=user.pk)
    return users.none()
