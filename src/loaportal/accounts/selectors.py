from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.sessions.models import Session
from django.utils import timezone

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
