"""Reading webhook endpoints and their delivery log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from loaportal.core.roles import roles_of
from loaportal.webhooks.models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from loaportal.accounts.models import User


def webhook_endpoint_visible_to(*, user: User) -> QuerySet[WebhookEndpoint]:
    """The primary user's DLI's endpoints (still registered); none for anyone else."""
    roles = roles_of(user)
    if not roles.is_primary:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(
        institution=roles.institution, deleted_at__isnull=True
    ).order_by("-created_at", "-id")


def webhook_delivery_log(*, user: User, limit: int = 50) -> list[WebhookDelivery]:
    """The latest deliveries to the DLI's endpoints (removed ones included), newest first."""
    roles = roles_of(user)
    if not roles.is_primary:
        return []
    return list(
        WebhookDelivery.objects.filter(endpoint__institution=roles.institution)
        .select_related("endpoint")
        .order_by("-created_at", "-id")[:limit]
    )
